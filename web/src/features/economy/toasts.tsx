import type { Toast } from '../../state/client.js';
import { AWARD_REASON_TEXT, activityText, errorText } from '../../lib/errors.js';

export interface ToastItem {
  id: number;
  toast: Toast;
}

/** "+N reason" for an award, the reason it stopped paying when it did. */
export function awardText(t: Extract<Toast, { kind: 'award' }>): string {
  const a = t.award;
  const why = a.reason ? AWARD_REASON_TEXT[a.reason] : null;
  if (a.granted > 0) return `+${a.granted} ${activityText(a.activity)}${why ? ` (${why})` : ''}`;
  return `+0 ${activityText(a.activity)}: ${why ?? 'nothing earned'}`;
}

/** The live stack of small notices (polite live region: read out without stealing focus). */
export function ToastStack({ items }: { items: ToastItem[] }) {
  return (
    <section className="toasts" aria-live="polite" aria-label="Notices">
      {items.map(({ id, toast }) => (
        <div key={id} className={`toast toast-${toast.kind}`} data-code={toast.kind === 'error' ? toast.error.code : undefined}>
          {toast.kind === 'award' ? awardText(toast) : toast.kind === 'error' ? errorText(toast.error) : toast.text}
        </div>
      ))}
    </section>
  );
}
