'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Callout, Field, Panel, cx, ui } from '@/components/actions/primitives';
import { useApiForm } from '@/components/actions/use-api-form';
import { callApi } from '@/lib/actions/api-client';
import type { ModelVersion } from './types';

/**
 * Registers a new version from an .onnx file (multipart POST …/versions). The server opens the
 * file with onnxruntime and checks the features against its inputs; its refusals name the field.
 */
export function UploadVersion(props: { model: string; defaultFeatures: string; canEdit: boolean }) {
  const router = useRouter();
  const { errors, busy, run } = useApiForm(['file', 'version', 'features', 'description'], {
    input_spec: 'features',
  });
  const [done, setDone] = useState<string>();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formEl = event.currentTarget;
    const form = new FormData(formEl);
    setDone(undefined);
    const result = await run(() =>
      callApi<ModelVersion>(
        'POST',
        `/api/v1/models/${encodeURIComponent(props.model)}/versions`,
        form,
      ),
    );
    if (!result.ok) return;
    const v = result.data!;
    setDone(
      result.status === 201
        ? `Registered ${v.version} (sha256 ${v.sha256.slice(0, 12)}…).`
        : `${v.version} already holds these bytes; nothing changed.`,
    );
    formEl.reset();
    router.refresh();
  }

  return (
    <Panel title="Upload a version">
      <form className={cx(ui.form, ui.panelBody)} onSubmit={submit} data-testid="upload-form">
        <div className={ui.grid2}>
          <Field label="ONNX file" error={errors.file}>
            <input type="file" name="file" accept=".onnx" required disabled={!props.canEdit} />
          </Field>
          <Field
            label="Version"
            error={errors.version}
            hint="A-Z a-z 0-9 _ . -, e.g. v3 or 2026.11"
          >
            <input name="version" required disabled={!props.canEdit} />
          </Field>
        </div>
        <div className={ui.grid2}>
          <Field
            label="Features"
            error={errors.features}
            hint="The logged feature names that make the input, in column order"
          >
            <input
              name="features"
              defaultValue={props.defaultFeatures}
              required
              disabled={!props.canEdit}
            />
          </Field>
          <Field label="Description" error={errors.description}>
            <input name="description" disabled={!props.canEdit} />
          </Field>
        </div>
        {errors.form && <Callout tone="error">{errors.form}</Callout>}
        {done && <Callout tone="success">{done}</Callout>}
        <div className={ui.formActions}>
          <button
            type="submit"
            className={cx(ui.button, ui.primary)}
            disabled={!props.canEdit || busy}
            title={props.canEdit ? '' : 'needs the editor role'}
          >
            {busy ? 'Uploading…' : 'Upload'}
          </button>
        </div>
      </form>
    </Panel>
  );
}
