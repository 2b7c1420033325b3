import { useState, type FormEvent } from 'react';
import type { MessageView } from '../../api/types.js';
import { useClient } from '../../state/client.js';
import { ErrorLine } from '../../ui/error-line.js';
import { useAction } from '../../ui/use-action.js';
import { personName } from '../people/person.js';

const PAGE = 20;

/**
 * Search in the open room (`GET /api/rooms/:id/messages?q=`: the server's full-text index, newest
 * first, paged with `before`). Results show under the form until cleared; a refusal (an empty or
 * too long query, say) is shown in words.
 */
export function MessageSearch(props: { roomId: string }) {
  const c = useClient();
  const [q, setQ] = useState('');
  const [results, setResults] = useState<{ q: string; messages: MessageView[]; next: string | null } | null>(null);
  const search = useAction();
  const url = (query: string, before?: string): string =>
    `/api/rooms/${encodeURIComponent(props.roomId)}/messages?q=${encodeURIComponent(query)}&limit=${PAGE}${before ? `&before=${encodeURIComponent(before)}` : ''}`;
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const query = q.trim();
    const r = await search.run(() => c.http.get<{ messages: MessageView[]; nextCursor: string | null }>(url(query)));
    if (r) setResults({ q: query, messages: r.messages, next: r.nextCursor });
  };
  const more = async (): Promise<void> => {
    if (!results?.next) return;
    const r = await search.run(() => c.http.get<{ messages: MessageView[]; nextCursor: string | null }>(url(results.q, results.next!)));
    if (r) setResults({ ...results, messages: [...results.messages, ...r.messages], next: r.nextCursor });
  };
  return (
    <div className="message-search">
      <form onSubmit={(e) => void submit(e)} className="search-row" role="search">
        <label>
          Search this room
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} maxLength={200} />
        </label>
        <button type="submit" disabled={search.busy}>
          Search
        </button>
      </form>
      <ErrorLine error={search.error} />
      {results && (
        <section className="search-results" aria-label="Search results">
          <div className="row">
            <p className="small" role="status">
              {results.messages.length === 0 ? `No messages match “${results.q}”.` : `${results.messages.length}${results.next ? '+' : ''} found for “${results.q}”`}
            </p>
            <button type="button" onClick={() => setResults(null)}>
              Clear search
            </button>
          </div>
          <ul>
            {results.messages.map((m) => (
              <li key={m.id}>
                <strong>{personName(m.author)}</strong> <time className="muted small" dateTime={m.createdAt}>{new Date(m.createdAt).toLocaleString()}</time>
                <p>{m.body}</p>
              </li>
            ))}
          </ul>
          {results.next && (
            <button type="button" disabled={search.busy} onClick={() => void more()}>
              More results
            </button>
          )}
        </section>
      )}
    </div>
  );
}
