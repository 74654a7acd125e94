/**
 * Streaming IATI activity reader (versions 2.01 to 2.03). It parses with `saxes` chunk by
 * chunk and yields one activity at a time, so memory stays at one chunk plus one activity
 * (and the identifiers seen, to catch repeats) however large the file.
 *
 * An activity with a problem anywhere in it is yielded as invalid, with every problem (line,
 * element, rule) and the reading goes on; what makes the whole file unreadable throws an
 * IatiFormatError in one sentence: not XML, not an IATI activity file, IATI 1.x, no version
 * or a version other than 2.01 to 2.03, or a file past the reader's limits (a run of text
 * without markup longer than `maxTextBytes`, elements nested deeper than `maxDepth`, an
 * activity larger than `maxActivityBytes`), which is how a hostile file is refused before it
 * costs much memory. Elements this reader does not use, and elements or attributes of other
 * namespaces, are passed over.
 *
 * With `withSource`, each activity also carries its raw text, so that iati-schema.ts can
 * validate it against the official XML schema, one bounded batch at a time.
 *
 * Between 2.01 and 2.03 nothing the reader uses changed shape: budget/@status and
 * transaction/@humanitarian came in 2.02 (null when absent), and the TransactionType codes
 * 10 to 13 (credit guarantee, incoming commitment, outgoing and incoming pledge) were added
 * to the codelist after 2.01; they are accepted in any 2.0x file.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import type { IatiNarrative } from './iati-model.ts';
import {
  type ActivityBuilder,
  type BudgetBuilder,
  finishActivity,
  type IatiItem,
  isoDate,
  type OrgBuilder,
  SUPPORTED_VERSIONS,
  type TxBuilder,
} from './iati-normalize.ts';
import { XmlTextError, xmlText } from './xml-text.ts';

export {
  emptySummary,
  type IatiInvalid,
  type IatiItem,
  type IatiProblem,
  type IatiReadSummary,
  type IatiRule,
  type IatiSource,
  isoDate,
  SUPPORTED_VERSIONS,
  tally,
} from './iati-normalize.ts';

export interface IatiReadOptions {
  /** Attach each activity's raw text (for schema validation). */
  withSource?: boolean;
  /** The longest run of text without markup (a text node, a comment, an attribute value), in bytes. */
  maxTextBytes?: number;
  /** The deepest element nesting; IATI itself needs about ten levels. */
  maxDepth?: number;
  /** The largest single activity, in bytes. */
  maxActivityBytes?: number;
}

export const READ_LIMITS = { maxTextBytes: 2_000_000, maxDepth: 64, maxActivityBytes: 8_000_000 } as const;

const megabytes = (bytes: number) => `${(bytes / 1e6).toLocaleString('en', { maximumFractionDigits: 2 })} MB`;

/** The whole file cannot be read: not well-formed XML, not an IATI activity file, or IATI 1.x. */
export class IatiFormatError extends Error {
  override name = 'IatiFormatError';
  constructor(
    message: string,
    readonly line: number | null,
  ) {
    super(line === null ? message : `${message} (line ${line})`);
  }
}

const opt = (value: string | undefined): string | null => (value === undefined || value === '' ? null : value);
const bool = (value: string | undefined): boolean | null =>
  value === '1' || value === 'true' ? true : value === '0' || value === 'false' ? false : null;

/**
 * Read an IATI activity file (a Node Readable, or any async iterable of Buffers or strings)
 * and yield its activities and skips in file order. A skipped transaction or budget is
 * yielded just before the activity it belongs to (which is yielded without it).
 */
export async function* readIati(source: AsyncIterable<string | Uint8Array>, options: IatiReadOptions = {}): AsyncGenerator<IatiItem> {
  const limits = { ...READ_LIMITS, ...options };
  const parser = new SaxesParser({ xmlns: false, position: true });
  const input = xmlText(source);
  const restore = input.restore;
  // The text parsed so far that may still be needed: from the start of the open activity, or
  // from the last '<' when none is open. `bufferStart` is its position in the whole text.
  let buffer = '';
  let bufferStart = 0;
  let rootTag = '';
  let activityStart = -1;
  let activityStartLine = 0;
  /** Where the start tag that ends at the parser's position begins, and its line. */
  const tagStart = (): { at: number; line: number } => {
    const end = parser.position - bufferStart;
    const at = buffer.lastIndexOf('<', end - 1);
    // Without the source kept, the tag's end stands for its start: sizes and lines are as
    // exact as limits and messages need.
    if (at < 0) return { at: parser.position, line: parser.line };
    let newlines = 0;
    for (let i = buffer.indexOf('\n', at); i >= 0 && i < end; i = buffer.indexOf('\n', i + 1)) newlines++;
    return { at: bufferStart + at, line: parser.line - newlines };
  };
  const attr = (tag: SaxesTagPlain, name: string): string | undefined => {
    const value = tag.attributes[name];
    return value === undefined ? value : restore(value);
  };
  const out: IatiItem[] = [];
  const seen = new Map<string, number>();
  let version = '';
  let rootLang: string | null = null;
  let depth = 0;

  let act: ActivityBuilder | null = null;
  let tx: TxBuilder | null = null;
  let budget: BudgetBuilder | null = null;
  let txCount = 0;
  // The org element being read and the depth of its element.
  let org: OrgBuilder | null = null;
  // Where the narratives of the element at narrativeDepth go.
  let narratives: IatiNarrative[] | null = null;
  let narrativeDepth = 0;
  // Text being collected for the element at captureDepth.
  let text: string | null = null;
  let captureDepth = 0;
  let captureLang: string | null = null;
  let capture: 'identifier' | 'narrative' | 'tx-value' | 'budget-value' | null = null;

  const startCapture = (kind: typeof capture, lang: string | null = null) => {
    capture = kind;
    captureDepth = depth;
    captureLang = lang;
    text = '';
  };

  parser.on('opentag', (tag) => {
    depth++;
    if (depth > limits.maxDepth)
      throw new IatiFormatError(`The file nests elements more than ${limits.maxDepth} deep; an IATI file needs far fewer`, parser.line);
    const name = tag.name;
    if (depth === 1) {
      version = checkRoot(tag, parser.line, attr);
      rootLang = opt(attr(tag, 'xml:lang'));
      if (options.withSource) {
        const start = tagStart();
        rootTag = buffer.slice(start.at - bufferStart, parser.position - bufferStart).replace(/\s+/g, ' ');
      }
      return;
    }
    if (depth === 2) {
      if (name === 'iati-activity') {
        const start = tagStart();
        activityStart = start.at;
        activityStartLine = start.line;
        act = {
          line: start.line,
          lang: opt(attr(tag, 'xml:lang')) ?? rootLang,
          identifier: null,
          defaultCurrency: opt(attr(tag, 'default-currency')?.trim()),
          humanitarian: bool(attr(tag, 'humanitarian')),
          reportingOrg: null,
          participatingOrgs: [],
          titles: [],
          descriptions: [],
          activityStatus: null,
          activityDates: [],
          budgets: [],
          transactions: [],
        };
        txCount = 0;
      }
      return;
    }
    if (!act) return;
    if (name === 'narrative') {
      if (narratives && depth === narrativeDepth + 1) startCapture('narrative', opt(attr(tag, 'xml:lang')));
      return;
    }
    if (depth === 3) {
      switch (name) {
        case 'iati-identifier':
          startCapture('identifier');
          break;
        case 'reporting-org':
        case 'participating-org':
          org = {
            element: name,
            line: parser.line,
            ref: opt(attr(tag, 'ref')?.trim()),
            type: opt(attr(tag, 'type')),
            role: opt(attr(tag, 'role')),
            names: [],
          };
          if (name === 'reporting-org') act.reportingOrg = org;
          else act.participatingOrgs.push(org);
          narratives = org.names;
          narrativeDepth = depth;
          break;
        case 'title':
          narratives = act.titles;
          narrativeDepth = depth;
          break;
        case 'description': {
          const type = attr(tag, 'type');
          if ((type === undefined || type === '1') && act.descriptions.length === 0) {
            narratives = act.descriptions;
            narrativeDepth = depth;
          }
          break;
        }
        case 'activity-status':
          act.activityStatus = opt(attr(tag, 'code'));
          break;
        case 'activity-date': {
          const type = attr(tag, 'type');
          const date = isoDate(attr(tag, 'iso-date'));
          if (type && date) act.activityDates.push({ type, date });
          break;
        }
        case 'budget':
          budget = {
            line: parser.line,
            type: opt(attr(tag, 'type')),
            status: opt(attr(tag, 'status')),
            periodStart: undefined,
            periodEnd: undefined,
            value: null,
            currency: undefined,
            valueDate: undefined,
          };
          break;
        case 'transaction':
          tx = {
            ref: opt(attr(tag, 'ref')?.trim()),
            index: txCount++,
            line: parser.line,
            typeCode: null,
            date: undefined,
            value: null,
            values: 0,
            valueLine: parser.line,
            currency: undefined,
            valueDate: undefined,
            provider: null,
            receiver: null,
            descriptions: [],
          };
          break;
      }
      return;
    }
    if (depth === 4 && tx) {
      switch (name) {
        case 'transaction-type':
          tx.typeCode = attr(tag, 'code')?.trim() ?? null;
          break;
        case 'transaction-date':
          tx.date = attr(tag, 'iso-date');
          break;
        case 'value':
          tx.values++;
          if (tx.values === 1) {
            tx.currency = attr(tag, 'currency');
            tx.valueDate = attr(tag, 'value-date');
            tx.valueLine = parser.line;
            startCapture('tx-value');
          }
          break;
        case 'description':
          narratives = tx.descriptions;
          narrativeDepth = depth;
          break;
        case 'provider-org':
        case 'receiver-org':
          org = {
            element: name,
            line: parser.line,
            ref: opt(attr(tag, 'ref')?.trim()),
            type: opt(attr(tag, 'type')),
            role: null,
            names: [],
          };
          if (name === 'provider-org') tx.provider = org;
          else tx.receiver = org;
          narratives = org.names;
          narrativeDepth = depth;
          break;
      }
      return;
    }
    if (depth === 4 && budget) {
      switch (name) {
        case 'period-start':
          budget.periodStart = attr(tag, 'iso-date');
          break;
        case 'period-end':
          budget.periodEnd = attr(tag, 'iso-date');
          break;
        case 'value':
          budget.currency = attr(tag, 'currency');
          budget.valueDate = attr(tag, 'value-date');
          startCapture('budget-value');
          break;
      }
    }
  });

  parser.on('text', (chunk) => {
    if (text !== null) text += chunk;
  });
  parser.on('cdata', (chunk) => {
    if (text !== null) text += chunk;
  });

  parser.on('closetag', () => {
    if (text !== null && depth === captureDepth) {
      const value = restore(text);
      text = null;
      switch (capture) {
        case 'identifier':
          act!.identifier = value.trim() || null;
          break;
        case 'narrative': {
          const trimmed = value.trim();
          if (trimmed && narratives) narratives.push({ lang: captureLang, text: trimmed });
          break;
        }
        case 'tx-value':
          tx!.value = value;
          break;
        case 'budget-value':
          budget!.value = value;
          break;
      }
      capture = null;
    }
    if (narratives && depth === narrativeDepth) {
      narratives = null;
      org = null;
    }
    if (depth === 3 && act) {
      if (tx) {
        act.transactions.push(tx);
        tx = null;
      } else if (budget) {
        act.budgets.push(budget);
        budget = null;
      }
    } else if (depth === 2 && act) {
      if (parser.position - activityStart > limits.maxActivityBytes) throw activityTooLarge();
      const item = finishActivity(act, version, seen);
      if (options.withSource) {
        const text = buffer.slice(activityStart - bufferStart, parser.position - bufferStart);
        item.source = { rootTag, bytes: input.bytes(text), line: activityStartLine };
      }
      out.push(item);
      act = null;
      activityStart = -1;
    }
    depth--;
  });

  parser.on('error', (error) => {
    throw new IatiFormatError(`The file is not well-formed XML: ${error.message.replace(/^\d+:\d+: /, '')}`, parser.line);
  });

  const activityTooLarge = () =>
    new IatiFormatError(
      `The activity that starts at line ${activityStartLine} is larger than ${megabytes(limits.maxActivityBytes)}, more than an import takes in one activity`,
      null,
    );
  let started = false;
  // The length of the run of text since the last '<', carried from chunk to chunk, and the
  // line it starts on (lines counted here, as the parser has not seen the chunk yet).
  let run = 0;
  let runLine = 1;
  let lines = 1;
  let position = 0;
  const countLines = (chunk: string, from: number, to: number) => {
    for (let i = chunk.indexOf('\n', from); i >= 0 && i < to; i = chunk.indexOf('\n', i + 1)) lines++;
  };
  try {
    for await (const chunk of input.chunks) {
      if (chunk.length === 0) continue;
      started = true;
      for (let from = 0; ; ) {
        const next = chunk.indexOf('<', from);
        const to = next < 0 ? chunk.length : next;
        run += to - from;
        if (run > limits.maxTextBytes)
          throw new IatiFormatError(
            `The file has a run of more than ${megabytes(limits.maxTextBytes)} of text without markup (from line ${runLine}); an IATI file has no such text`,
            null,
          );
        countLines(chunk, from, to);
        if (next < 0) break;
        run = 0;
        runLine = lines;
        from = next + 1;
      }
      position += chunk.length;
      if (activityStart >= 0 && position - activityStart > limits.maxActivityBytes) throw activityTooLarge();
      if (options.withSource) buffer += chunk;
      parser.write(chunk);
      if (options.withSource && activityStart < 0) {
        // Keep only what a start tag still open at the end of the chunk may need.
        const keep = Math.max(0, buffer.lastIndexOf('<'));
        bufferStart += keep;
        buffer = buffer.slice(keep);
      } else if (options.withSource && activityStart > bufferStart) {
        buffer = buffer.slice(activityStart - bufferStart);
        bufferStart = activityStart;
      }
      if (out.length) yield* out.splice(0, out.length);
    }
  } catch (error) {
    if (error instanceof XmlTextError) throw new IatiFormatError(error.message, null);
    throw error;
  }
  if (!started) throw new IatiFormatError('The file is empty', null);
  parser.close();
  if (out.length) yield* out.splice(0, out.length);
}

/** Checks the root element and returns the file's version; throws for what cannot be read at all. */
function checkRoot(tag: SaxesTagPlain, line: number, attr: (tag: SaxesTagPlain, name: string) => string | undefined): string {
  const local = tag.name.includes(':') ? tag.name.slice(tag.name.indexOf(':') + 1) : tag.name;
  const version = opt(attr(tag, 'version')?.trim());
  if (local === 'iati-organisations') {
    throw new IatiFormatError('This is an IATI organisation file; only activity files (<iati-activities>) can be imported', line);
  }
  if (local === 'iati-activity' || (local === 'iati-activities' && version?.startsWith('1.'))) {
    throw new IatiFormatError(
      `IATI 1.x files are not supported (${version ? `version ${version}` : 'a bare <iati-activity> root'}); only versions ${SUPPORTED_VERSIONS.join(', ')} can be imported. Convert the file to 2.0x first.`,
      line,
    );
  }
  if (tag.name !== 'iati-activities') {
    throw new IatiFormatError(`Not an IATI activity file: the root element is <${tag.name}>, not <iati-activities>`, line);
  }
  if (version === null)
    throw new IatiFormatError(
      `The file does not say which IATI version it follows (<iati-activities> has no version attribute); only versions ${SUPPORTED_VERSIONS.join(', ')} can be imported`,
      line,
    );
  if (!(SUPPORTED_VERSIONS as readonly string[]).includes(version))
    throw new IatiFormatError(`IATI version ${version} cannot be imported; only versions ${SUPPORTED_VERSIONS.join(', ')} can`, line);
  return version;
}
