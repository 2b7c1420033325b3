import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { quoteRefund } from '../../../../server/economy/rules/refunds.js';
import type { OwnedItemsView, PurchaseResult, PurchaseView, RefundResult, RoomView, ShopItemView } from '../../api/types.js';
import { newRequestId } from '../../lib/ids.js';
import { useClient } from '../../state/client.js';
import { Dialog } from '../../ui/dialog.js';
import { ErrorLine } from '../../ui/error-line.js';
import { FormFooter, PinField } from '../../ui/form-parts.js';
import { useAction } from '../../ui/use-action.js';

/**
 * The shop: the catalogue by category with what the caller can afford, buying with the PIN,
 * owned items with their expiry, and refunds with the policy's quote shown before confirming.
 * The quote is the server's own pure rule (server/economy/rules/refunds.ts) over the public
 * economy config, so the number shown is the number the server will pay.
 */
export function ShopScreen() {
  const c = useClient();
  const [items, setItems] = useState<ShopItemView[]>([]);
  const [owned, setOwned] = useState<OwnedItemsView | null>(null);
  const [rooms, setRooms] = useState<RoomView[]>([]);
  const [buying, setBuying] = useState<ShopItemView | null>(null);
  const [refunding, setRefunding] = useState<PurchaseView | null>(null);
  const load = useAction();

  const refresh = useCallback(() => {
    void load.run(async () => {
      const [i, o, r] = await Promise.all([
        c.http.get<{ items: ShopItemView[] }>('/api/shop/items'),
        c.http.get<OwnedItemsView>(`/api/shop/owned/${c.me.id}`),
        c.http.get<{ rooms: RoomView[] }>('/api/rooms?limit=100'),
      ]);
      setItems(i.items);
      setOwned(o);
      setRooms(r.rooms);
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [c.http, c.me.id]);
  useEffect(refresh, [refresh]);

  const byCategory = useMemo(() => {
    const m = new Map<string, ShopItemView[]>();
    for (const i of items) m.set(i.category, [...(m.get(i.category) ?? []), i]);
    return [...m.entries()];
  }, [items]);
  const itemName = (id: string): string => items.find((i) => i.id === id)?.name ?? id;
  const balance = c.wallet.balance ?? 0;

  return (
    <section className="shop">
      <h1>Shop</h1>
      <ErrorLine error={load.error} />
      <p className="muted">Your balance: {c.wallet.balance ?? '…'} tokens. Purchases need your PIN (Settings).</p>
      {byCategory.map(([category, list]) => (
        <section key={category} aria-labelledby={`cat-${category}`}>
          <h2 id={`cat-${category}`}>{category}</h2>
          <ul className="cards">
            {list.map((i) => (
              <li key={i.id} className={`card item${i.cost > balance ? ' unaffordable' : ''}`}>
                <h3>{i.name}</h3>
                <p className="muted small">{i.duration.kind === 'timed' ? `${i.duration.hours} h` : i.duration.kind === 'consumable' ? `once per ${i.duration.per}` : 'permanent'}</p>
                <p>
                  <strong>{i.cost}</strong> tokens {i.cost > balance && <span className="muted small">(you need {i.cost - balance} more)</span>}
                </p>
                {!i.available && <p className="muted small">{i.unavailableReason ?? 'Not available on this server'}</p>}
                <button type="button" disabled={!i.available || i.cost > balance} onClick={() => setBuying(i)} aria-label={`Buy ${i.name}`}>
                  Buy
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
      <section aria-labelledby="owned-title">
        <h2 id="owned-title">Owned</h2>
        {owned && owned.active.length === 0 && owned.expired.length === 0 && <p className="muted">Nothing bought yet.</p>}
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">State</th>
              <th scope="col">Expires</th>
              <th scope="col">Paid</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {[...(owned?.active ?? []), ...(owned?.expired ?? [])].map((p) => (
              <tr key={p.id}>
                <td>{itemName(p.itemId)}</td>
                <td>{p.state}</td>
                <td>{p.expiresAt ? new Date(p.expiresAt).toLocaleString() : '—'}</td>
                <td>{p.cost}</td>
                <td>
                  {p.state === 'active' && (
                    <button type="button" onClick={() => setRefunding(p)} aria-label={`Refund ${itemName(p.itemId)}`}>
                      Refund…
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {buying && <BuyDialog item={buying} rooms={rooms} onClose={() => setBuying(null)} onDone={refresh} />}
      {refunding && <RefundDialog purchase={refunding} item={items.find((i) => i.id === refunding.itemId) ?? null} onClose={() => setRefunding(null)} onDone={refresh} />}
    </section>
  );
}

function BuyDialog(props: { item: ShopItemView; rooms: RoomView[]; onClose(): void; onDone(): void }) {
  const c = useClient();
  const [pin, setPin] = useState('');
  const [roomId, setRoomId] = useState(props.rooms[0]?.id ?? '');
  const [messageId, setMessageId] = useState('');
  const [requestId] = useState(() => newRequestId('buy'));
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const body = { itemId: props.item.id, pin, requestId, ...(props.item.needsRoom ? { roomId } : {}), ...(props.item.needsMessage ? { messageId: messageId.trim() } : {}) };
    const r = await run(() => c.http.post<PurchaseResult>('/api/shop/purchase', body));
    if (r) {
      c.toast({ kind: 'info', text: `Bought ${props.item.name} for ${r.purchase.cost} tokens` });
      c.refreshWallet();
      props.onDone();
      props.onClose();
    }
  };
  return (
    <Dialog title={`Buy ${props.item.name}`} open onClose={props.onClose}>
      <form onSubmit={(e) => void submit(e)} className="stack">
        <p>
          Costs <strong>{props.item.cost}</strong> tokens; you have {c.wallet.balance ?? '…'}.
        </p>
        {props.item.needsRoom && (
          <label>
            Room
            <select value={roomId} onChange={(e) => setRoomId(e.target.value)}>
              {props.rooms.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </label>
        )}
        {props.item.needsMessage && (
          <label>
            Message id
            <input value={messageId} onChange={(e) => setMessageId(e.target.value)} required />
          </label>
        )}
        <PinField value={pin} onChange={setPin} />
        <FormFooter error={error} busy={busy} submitLabel="Confirm purchase" onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}

function RefundDialog(props: { purchase: PurchaseView; item: ShopItemView | null; onClose(): void; onDone(): void }) {
  const c = useClient();
  const [pin, setPin] = useState('');
  const { busy, error, run } = useAction();
  const p = props.purchase;
  const quote =
    c.config && props.item ? quoteRefund({ item: { duration: props.item.duration }, cost: p.cost, purchasedAt: new Date(p.createdAt), at: new Date(), used: p.usedAt !== null }, c.config) : null;
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const r = await run(() => c.http.post<RefundResult>('/api/shop/refund', { purchaseId: p.id, pin }));
    if (r) {
      c.toast({ kind: 'info', text: `Refunded ${r.refunded} tokens` });
      c.refreshWallet();
      props.onDone();
      props.onClose();
    }
  };
  return (
    <Dialog title="Refund" open onClose={props.onClose}>
      <form onSubmit={(e) => void submit(e)} className="stack">
        <p role="status" data-testid="refund-quote">
          {quote ? (
            <>
              You get back <strong>{quote.amount}</strong> of {p.cost} tokens ({quote.percent}%, rule {quote.rule.replace(/_/g, ' ').toLowerCase()}).
            </>
          ) : (
            'Reading the refund policy…'
          )}
        </p>
        <PinField value={pin} onChange={setPin} />
        <FormFooter error={error} busy={busy} submitLabel="Confirm refund" onCancel={props.onClose} disabled={quote?.amount === 0} />
      </form>
    </Dialog>
  );
}
