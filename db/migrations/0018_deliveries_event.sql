-- A delivery that carries an event instead of grouped alerts (e.g. deployment.changed, sent to the
-- webhook channels that subscribe to deployments): its type and data as JSON; '' for alerts.
ALTER TABLE deliveries ADD COLUMN IF NOT EXISTS event String DEFAULT '' CODEC(ZSTD(1))
