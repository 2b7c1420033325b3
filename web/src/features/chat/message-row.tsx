import { memo, useEffect, useState } from 'react';
import type { FileView, MessageView } from '../../api/types.js';
import { useClient } from '../../state/client.js';
import type { PendingMessage } from './messages-state.js';

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

export const MessageRow = memo(function MessageRow(props: {
  m: MessageView;
  mine: boolean;
  myReactions: ReadonlySet<string>;
  onReact(messageId: string, emoji: string): void;
  onHelpful(messageId: string): void;
}) {
  const { m } = props;
  return (
    <article className={`msg${props.mine ? ' mine' : ''}`} aria-label={`${m.author.username} at ${time(m.createdAt)}`}>
      <div className="msg-head">
        <strong>{m.author.username}</strong>
        {m.author.badge && <span title={m.author.tier}>{m.author.badge}</span>}
        <time className="muted small" dateTime={m.createdAt}>
          {time(m.createdAt)}
        </time>
      </div>
      {m.body && <p className="msg-body">{m.body}</p>}
      {m.file && <FileBlock file={m.file} />}
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
