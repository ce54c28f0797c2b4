import { hostname } from 'node:os';
import { type LogSink, parseLine, post } from './batching-log.stream';

const EVENT_PATH = '/services/collector/event';

/**
 * `Logging.SplunkHEC.HecEndpoint` may be the HEC base URL (`https://splunk:8088`) or a collector URL
 * (`…/services/collector` or `…/services/collector/event`, which Splunk treats alike): the event path is
 * appended only when the URL names no collector path.
 */
export function splunkHecUrl(endpoint: string): string {
  const url = new URL(endpoint);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.includes('/services/collector') ? path : `${path}${EVENT_PATH}`;
  return url.toString();
}

export interface SplunkHecOptions {
  endpoint: string;
  token: string;
  /** The events' `source`. */
  source: string;
}

/** Ships to Splunk's HTTP Event Collector: newline-separated JSON events, each the parsed pino line. */
export class SplunkHecClient implements LogSink {
  readonly name = 'splunk-hec';
  private readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly host = hostname();

  constructor(private readonly opts: SplunkHecOptions) {
    this.url = splunkHecUrl(opts.endpoint);
    this.headers = { 'content-type': 'application/json', authorization: `Splunk ${opts.token}` };
  }

  async send(lines: readonly string[], signal: AbortSignal): Promise<void> {
    const body = lines
      .map((raw) => {
        const { time, line, obj } = parseLine(raw);
        return JSON.stringify({
          // HEC wants epoch seconds; milliseconds go in the fraction.
          time: time / 1000,
          host: typeof obj?.hostname === 'string' ? obj.hostname : this.host,
          source: this.opts.source,
          sourcetype: '_json',
          event: obj ?? line,
        });
      })
      .join('\n');
    await post(this.url, { headers: this.headers, body }, signal);
  }
}
