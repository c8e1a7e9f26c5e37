import { type ReactNode, useId, useRef, useState } from 'react';
import { useNotify } from './notices';
import { errorText } from './states';

export interface ConfirmActionProps {
  /** Text of the button that opens the dialog. */
  label: string;
  title: string;
  /** What will happen, in words. */
  children?: ReactNode;
  confirmLabel?: string;
  danger?: boolean;
  disabled?: boolean;
  /** A reason / note field: kept in the audit log. */
  reason?: 'optional' | 'required';
  reasonLabel?: string;
  /** Extra form fields (controlled by the caller). */
  fields?: ReactNode;
  /** False keeps the confirm button disabled (e.g. a required field of `fields` is empty). */
  canConfirm?: boolean;
  /** Runs the action; answers the result message shown after it. */
  onConfirm(reason: string | undefined): Promise<string>;
  onDone?(): void;
  className?: string;
}

/**
 * A button whose action runs only after a confirmation dialog (native <dialog>: modal, focus kept inside, Escape
 * cancels). The result, or the error, is shown after it: errors inside the dialog, success in the page's notices.
 */
export function ConfirmAction(props: ConfirmActionProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const notify = useNotify();
  const titleId = useId();
  const reasonId = useId();

  const open = () => {
    setReason('');
    setError(null);
    dialog.current?.showModal();
  };
  const close = () => dialog.current?.close();
  const reasonMissing = props.reason === 'required' && reason.trim() === '';

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (busy || reasonMissing || props.canConfirm === false) return;
    setBusy(true);
    setError(null);
    try {
      const message = await props.onConfirm(reason.trim() || undefined);
      close();
      notify('ok', message);
      props.onDone?.();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button
        type="button"
        className={`${props.danger ? 'danger' : ''} ${props.className ?? ''}`.trim()}
        disabled={props.disabled}
        onClick={open}
      >
        {props.label}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} className="confirm-dialog">
        <form onSubmit={submit}>
          <h2 id={titleId}>{props.title}</h2>
          {props.children && <div className="dialog-body">{props.children}</div>}
          {props.fields}
          {props.reason && (
            <div className="field">
              <label htmlFor={reasonId}>
                {props.reasonLabel ?? 'Reason'} {props.reason === 'optional' ? '(optional)' : '(required)'}
              </label>
              <textarea
                id={reasonId}
                value={reason}
                maxLength={1000}
                rows={3}
                required={props.reason === 'required'}
                onChange={(e) => setReason(e.target.value)}
              />
            </div>
          )}
          {error && (
            <p className="state state-error" role="alert">
              {error}
            </p>
          )}
          <div className="dialog-actions">
            <button type="button" onClick={close} disabled={busy}>
              Cancel
            </button>
            <button
              type="submit"
              className={props.danger ? 'danger' : 'primary'}
              disabled={busy || reasonMissing || props.canConfirm === false}
              aria-busy={busy}
            >
              {busy ? 'Working…' : (props.confirmLabel ?? props.label)}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
