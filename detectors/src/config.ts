// The detectors' and alerts' environment schemas alone, for launchers that validate configuration
// without loading the detectors (and nodemailer, @stdlib) into every process role.
export { detectorsEnv, type DetectorsEnv } from './scheduler/config';
export { alertsEnv, type AlertsEnv } from './alerts/config';
