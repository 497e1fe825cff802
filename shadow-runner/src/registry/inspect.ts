import { InferencePool } from '../inference/pool';
import { ModelLoadError, type ModelSignature } from '../inference/session';
import { RegistryError } from '../api';

/**
 * Opens an uploaded file with onnxruntime-node, on the CPU, in a short-lived worker (loading a
 * large model is seconds of native work that must not stall the API), and answers its signature.
 * Anything ORT cannot load is a 400 naming the reason.
 */
export async function inspectModel(path: string): Promise<ModelSignature> {
  const pool = new InferencePool({ ep: 'cpu', workers: 1, tuning: { intraOpThreads: 1 } });
  try {
    return (await pool.load('upload', path)).signature;
  } catch (error) {
    if (error instanceof ModelLoadError) {
      const reason = error.message.replace(/^cannot open the model \(cpu: (.*)\)$/s, '$1');
      throw new RegistryError(400, `not a loadable ONNX model: ${reason}`, 'file');
    }
    throw error;
  } finally {
    await pool.close();
  }
}
