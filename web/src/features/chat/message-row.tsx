import { memo, useEffect, useState, type FormEvent, type KeyboardEvent } from 'react';
import { toErrorBody } from '../../api/http.js';
import type { ErrorBody, FileView, MessageQuote, MessageView } from '../../api/types.js';
import { useClient } from '../../state/client.js';
import { ErrorLine } from '../../ui/error-line.js';
import type { PendingMessage } from './messages-state.js';
import { Avatar, personName } from '../people/person.js';

/** The reactions offered on every message. */
export const REACTIONS = ['👍', '❤️', '😂', '🎉'] as const;

const time = (iso: string): string => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const size = (n: number): string => (n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`);

/** A downloaded file as an object URL (files need the bearer token, so no plain <img src>). */
function useFileUrl(file: FileView | null, enabled: boolean): string | null {
  const c = useClient();
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!file || !enabled) return;
    let revoked = false;
    let objectUrl: string | null = null;
    c.http
      .blob(`/api/files/${encodeURIComponent(file.id)}`)
      .then((b) => {
        if (!revoked) {
          objectUrl = URL.createObjectURL(b);
          setUrl(objectUrl);
        }
      })
      .catch(() => undefined); // the name and size stay shown; a preview is a nicety
    return () => {
      revoked = true;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [file, enabled, c.http]);
  return url;
}

function FileBlock({ file }: { file: FileView }) {
  const isImage = file.mime.startsWith('image/');
  const url = useFileUrl(file, isImage);
  return (
    <div className="file">
      {isImage && url && <img src={url} alt={file.name} className="preview" />}
      <span>
        📎 {file.name} <span className="muted small">({size(file.size)})</span>
      </span>
    </div>
  );
}

/** The quoted parent of a reply, as the server built it (its excerpt, or that it was deleted). */
export function Quote({ q }: { q: MessageQuote }) {
  return (
    <blockquote className="quote" aria-label={`In reply to ${q.author.username}`}>
      <strong className="small">{q.author.username}</strong>{' '}
      {q.deleted || q.excerpt === null ? <em className="muted">deleted message</em> : <span>{q.excerpt}</span>}
    </blockquote>
  );
}

/** Edit in place: Enter (or Save) sends `message:edit`, Escape (or Cancel) leaves it as it was. */
function EditForm(props: { m: MessageView; onEdit(id: string, body: string): Promise<void>; onDone(): void }) {
  const [body, setBody] = useState(props.m.body);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorBody | null>(null);
  const save = async (e?: FormEvent): Promise<void> => {
    e?.preventDefault();
    const text = body.trim();
    if (!text || busy) return;
    if (text === props.m.body) return props.onDone();
    setBusy(true);
    setError(null);
    try {
      await props.onEdit(props.m.id, text);
      props.onDone();
    } catch (err) {
      setError(toErrorBody(err));
    } finally {
      setBusy(false);
    }
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void save();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      props.onDone();
    }
  };
  return (
    <form className="stack edit-form" onSubmit={(e) => void save(e)}>
      <textarea aria-label="Edit message" value={body} onChange={(e) => setBody(e.target.value)} onKeyDown={onKey} rows={2} autoFocus />
      <ErrorLine error={error} />
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          Save
        </button>
        <button type="button" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/**
 * One message: author, time, the quoted parent of a reply, the body (or the tombstone of a deleted
 * message), "(edited)", reactions, and Reply / Edit (the author) / Delete (the author, the room's
 * owner and moderators). The server decides in the end: a refusal (say, the edit window closed) is
 * shown in words on the row.
 */
export const MessageRow = memo(function MessageRow(props: {
  m: MessageView;
  mine: boolean;
  canDelete: boolean;
  myReactions: ReadonlySet<string>;
  onReact(messageId: string, emoji: string): void;
  onHelpful(messageId: string): void;
  onReply(m: MessageView): void;
  onEdit(messageId: string, body: string): Promise<void>;
  onDelete(messageId: string): Promise<void>;
}) {
  const { m } = props;
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<ErrorBody | null>(null);
  const remove = async (): Promise<void> => {
    setError(null);
    try {
      await props.onDelete(m.id);
    } catch (err) {
      setError(toErrorBody(err));
    } finally {
      setConfirming(false);
    }
  };
  const head = (
    <div className="msg-head">
      <Avatar user={m.author} />
      <strong>{personName(m.author)}</strong>
      {m.author.badge && <span title={m.author.tier}>{m.author.badge}</span>}
      <time className="muted small" dateTime={m.createdAt}>
        {time(m.createdAt)}
      </time>
      {m.editedAt && !m.deletedAt && (
        <span className="muted small" title={`Edited at ${time(m.editedAt)}`}>
          (edited)
        </span>
      )}
    </div>
  );
  if (m.deletedAt) {
    return (
      <article className={`msg deleted${props.mine ? ' mine' : ''}`} aria-label={`${m.author.username} at ${time(m.createdAt)}, deleted`}>
        {head}
        <p className="msg-body muted">
          <em>This message was deleted.</em>
        </p>
      </article>
    );
  }
  return (
    <article className={`msg${props.mine ? ' mine' : ''}`} aria-label={`${m.author.username} at ${time(m.createdAt)}`}>
      {head}
      {m.replyTo && <Quote q={m.replyTo} />}
      {editing ? <EditForm m={m} onEdit={props.onEdit} onDone={() => setEditing(false)} /> : m.body && <p className="msg-body">{m.body}</p>}
      {m.file && <FileBlock file={m.file} />}
      <ErrorLine error={error} />
      {confirming && (
        <div className="row confirm-delete">
          <span className="small">Delete this message?</span>
          <button type="button" className="danger" onClick={() => void remove()}>
            Yes, delete
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Keep
          </button>
        </div>
      )}
      <div className="msg-actions">
        {REACTIONS.map((e) => {
          const n = m.reactions[e] ?? 0;
          const on = props.myReactions.has(`${m.id}:${e}`);
          return (
            <button key={e} type="button" className={`react${on ? ' on' : ''}`} aria-pressed={on} aria-label={`React ${e}${n ? `, ${n}` : ''}`} onClick={() => props.onReact(m.id, e)}>
              {e}
              {n > 0 && <span className="small"> {n}</span>}
            </button>
          );
        })}
        {!props.mine && (
          <button type="button" className="react" onClick={() => props.onHelpful(m.id)} aria-label={`Helpful, by ${m.author.username}`}>
            Helpful
          </button>
        )}
        <button type="button" className="react" onClick={() => props.onReply(m)}>
          Reply
        </button>
        {props.mine && !editing && (
          <button type="button" className="react" onClick={() => { setError(null); setEditing(true); }}>
            Edit
          </button>
        )}
        {props.canDelete && !confirming && (
          <button type="button" className="react" onClick={() => { setError(null); setConfirming(true); }}>
            Delete
          </button>
        )}
      </div>
    </article>
  );
});

export function PendingRow({ p, onRetry, onDiscard }: { p: PendingMessage; onRetry(id: string): void; onDiscard(id: string): void }) {
  return (
    <article className={`msg mine pending ${p.state}`} aria-label={p.state === 'sending' ? 'Sending' : 'Not sent'}>
      <p className="msg-body">{p.body}</p>
      {p.state === 'sending' ? (
        <span className="muted small">Sending…</span>
      ) : (
        <div className="row" role="alert">
          <span className="error small">Not sent: {p.error}</span>
          <button type="button" onClick={() => onRetry(p.clientMessageId)}>
            Retry
          </button>
          <button type="button" onClick={() => onDiscard(p.clientMessageId)}>
            Discard
          </button>
        </div>
      )}
    </article>
  );
}
