/**
 * The proof's HTTP client over three nodes. A command is sent to one node and, until it gets a
 * final answer, sent again with the same ids (to the next node when the first is down): retries
 * are safe by design, since command ids make repeats harmless. Only a 2xx or 4xx is final: a 503
 * (`unavailable`, `not_owner` while a read waits for another node's actor, `timeout`), a
 * connection refused or reset, or no answer within `attemptTimeoutMs` all mean "not known", and
 * the command is sent again. A command still unanswered at `giveUpMs` is reported as such; it is
 * never counted as acknowledged.
 */
import { call, type ApiAnswer } from '../../load/api-client.ts';

/** A SIGSTOPped node answers after SIGCONT (2 × TTL); past this an attempt is given up and resent. */
const attemptTimeoutMs = 8_000;
/** How long one command keeps being resent; every fault here is over well within it. */
const giveUpMs = 45_000;
const retryPauseMs = 50;

export type Final<Body> = { readonly final: true; readonly answer: ApiAnswer<Body>; readonly attempts: number } | { readonly final: false; readonly attempts: number };

export interface NodeAddresses {
  /** Base URLs of the nodes a request may go to now, by node id. */
  urls(): ReadonlyMap<string, string>;
}

/** How a command is resent when its first attempt got no final answer. */
export interface Resend {
  /** The node to resend to (a key's owner, say), or undefined for the next one in turn. */
  readonly node?: () => Promise<string | undefined>;
}

export class ClusterClient {
  private turn = 0;

  constructor(private readonly nodes: NodeAddresses) {}

  /** One attempt at one node (for probes, which measure rather than retry). */
  async once<Body>(baseUrl: string, method: string, path: string, token: string | undefined, body: unknown, timeoutMs = attemptTimeoutMs): Promise<ApiAnswer<Body> | null> {
    try {
      return await call<Body>(baseUrl, method, path, { ...(token === undefined ? {} : { token }), ...(body === undefined ? {} : { body }), timeoutMs });
    } catch {
      return null;
    }
  }

  /** Sends until a final answer (2xx or 4xx), starting at a node picked in turn. */
  async command<Body>(method: string, path: string, token: string | undefined, body?: unknown, resend: Resend = {}): Promise<Final<Body>> {
    const startedAt = Date.now();
    let attempts = 0;
    while (Date.now() - startedAt < giveUpMs) {
      const urls = this.nodes.urls();
      const chosen = attempts > 0 && resend.node !== undefined ? await resend.node().catch(() => undefined) : undefined;
      const baseUrl = (chosen === undefined ? undefined : urls.get(chosen)) ?? [...urls.values()][(this.turn += 1) % Math.max(1, urls.size)];
      if (baseUrl !== undefined) {
        attempts += 1;
        const answer = await this.once<Body>(baseUrl, method, path, token, body);
        if (answer !== null && answer.status < 500) return { final: true, answer, attempts };
      }
      await new Promise((resolve) => setTimeout(resolve, retryPauseMs));
    }
    return { final: false, attempts };
  }

  /** A command that must succeed (setup): throws on anything but a final 2xx. */
  async expect<Body>(method: string, path: string, token: string | undefined, body?: unknown): Promise<Body> {
    const result = await this.command<Body>(method, path, token, body);
    if (!result.final) throw new Error(`${method} ${path} got no final answer in ${result.attempts} attempts`);
    if (!result.answer.ok) throw new Error(`${method} ${path} answered ${result.answer.status} ${result.answer.code}`);
    return result.answer.body;
  }
}
