import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { toErrorBody } from '../../api/http.js';
import { emitAck } from '../../api/socket.js';
import type { ErrorBody, FileView, MessageView } from '../../api/types.js';
import { newRequestId } from '../../lib/ids.js';
import { useClient } from '../../state/client.js';
import { ErrorLine } from '../../ui/error-line.js';

/**
 * The message box ("Message", Enter sends, Shift+Enter is a new line) and file upload with a
 * progress bar: the file goes to `POST /api/files`, then `file:share` posts it in the room. When
 * replying, the message replied to is shown above the box ("Cancel reply" or Escape drops it);
 * every keystroke tells `onTyping` (which throttles what it sends).
 */
export function Composer(props: {
  roomId: string;
  disabled: boolean;
  onSend(body: string): void;
  replyTo: MessageView | null;
  onCancelReply(): void;
  onTyping(): void;
}) {
  const c = useClient();
  const [body, setBody] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<ErrorBody | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (props.replyTo) box.current?.focus();
  }, [props.replyTo]);

  const submit = (e?: FormEvent): void => {
    e?.preventDefault();
    const text = body.trim();
    if (!text) return;
    props.onSend(text);
    setBody('');
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      submit();
    } else if (e.key === 'Escape' && props.replyTo) {
      e.preventDefault();
      props.onCancelReply();
    }
  };
  const upload = async (file: File): Promise<void> => {
    setError(null);
    setProgress(0);
    const clientMessageId = newRequestId('f');
    try {
      const form = new FormData();
      form.append('file', file);
      const { file: stored } = await c.http.upload<{ file: FileView }>('/api/files', form, setProgress);
      const r = await emitAck(c.socket, 'file:share', { roomId: props.roomId, fileId: stored.id, clientMessageId });
      c.award(r.award);
    } catch (err) {
      setError(toErrorBody(err));
    } finally {
      setProgress(null);
      if (fileInput.current) fileInput.current.value = '';
    }
  };

  return (
    <form className="composer" onSubmit={submit}>
      <ErrorLine error={error} />
      {props.replyTo && (
        <div className="replying row">
          <span className="small">
            Replying to <strong>{props.replyTo.author.username}</strong>: <span className="muted">{props.replyTo.body.slice(0, 80) || 'a file'}</span>
          </span>
          <button type="button" onClick={props.onCancelReply}>
            Cancel reply
          </button>
        </div>
      )}
      {progress !== null && <progress max={1} value={progress} aria-label={`Uploading, ${Math.round(progress * 100)}%`} />}
      <div className="row">
        <label className="file-button">
          <span className="visually-hidden">Attach a file</span>
          <span aria-hidden="true">📎</span>
          <input ref={fileInput} type="file" className="visually-hidden" disabled={props.disabled || progress !== null} onChange={(e) => e.target.files?.[0] && void upload(e.target.files[0])} />
        </label>
        <textarea
          ref={box}
          aria-label="Message"
          placeholder="Write a message…"
          rows={1}
          value={body}
          onChange={(e) => {
            setBody(e.target.value);
            if (e.target.value.trim()) props.onTyping();
          }}
          onKeyDown={onKey}
          disabled={props.disabled}
        />
        <button type="submit" className="primary" disabled={props.disabled}>
          Send
        </button>
      </div>
    </form>
  );
}
