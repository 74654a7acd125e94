/**
 * Validation of IATI activities against the official IATI 2.03 XML schema, with libxml2
 * compiled to WebAssembly (`xmllint-wasm`; decision 0015). The schema files ship beside this
 * module in `iati-2.03/` (see SOURCE.md there).
 *
 * The reader hands over each activity's raw text; activities are validated in batches of a
 * bounded size (a document of the file's own root element holding a few activities), so
 * memory stays bounded however large the file, and each error line of a batch is mapped back
 * to the line of the file. 2.01 and 2.02 files are validated with the 2.03 schema: the
 * 2.02 and 2.03 upgrades only added elements, attributes and codes or relaxed occurrences,
 * so a file valid under its own version is valid under 2.03 (the reverse does not hold: an
 * element new in 2.03 passes in a 2.01 file).
 */
import { readFile } from 'node:fs/promises';
import { validateXML, type XMLValidationError } from 'xmllint-wasm';
import type { IatiItem, IatiProblem } from './iati-normalize.ts';

const SCHEMA_DIR = new URL('./iati-2.03/', import.meta.url);
const FILES = ['iati-activities-schema.xsd', 'iati-common.xsd', 'xml.xsd'] as const;

/** Activities are validated together until their text reaches this many bytes. */
export const SCHEMA_BATCH_BYTES = 2_000_000;

let schemas: Promise<{ fileName: string; contents: string }[]> | null = null;
const loadSchemas = () =>
  (schemas ??= Promise.all(FILES.map(async (fileName) => ({ fileName, contents: await readFile(new URL(fileName, SCHEMA_DIR), 'utf8') }))));

const DECLARATION = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n');
const NEWLINE = Buffer.from('\n');

function lineCount(bytes: Uint8Array): number {
  let n = 0;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) n++;
  return n;
}

/** `Element 'value', attribute 'x': …` → the element (with the attribute) and the rest. */
function describe(error: XMLValidationError): { element: string; detail: string } {
  const text = error.message.replace(/^Schemas validity error : /, '').replace(/^namespace error : /, '');
  const match = /^Element '([^']+)'(?:, attribute '([^']+)')?: (.*)$/.exec(text);
  if (!match) return { element: '', detail: text };
  const element = match[1].replace(/^\{[^}]*\}/, '');
  return { element: match[2] ? `${element}/@${match[2]}` : element, detail: match[3] };
}

/**
 * Validates a batch of activities (raw UTF-8 text, each with the line where it starts in the
 * file) inside the file's root element; returns the schema problems of each activity.
 */
export async function validateBatch(rootTag: string, activities: { bytes: Uint8Array; line: number }[]): Promise<IatiProblem[][]> {
  const parts: Uint8Array[] = [DECLARATION, Buffer.from(rootTag), NEWLINE];
  // Line 1 is the declaration and line 2 the root tag, so the first activity starts on line 3.
  const starts: number[] = [];
  let line = 3;
  for (const a of activities) {
    starts.push(line);
    parts.push(a.bytes, NEWLINE);
    line += lineCount(a.bytes) + 1;
  }
  parts.push(Buffer.from('</iati-activities>\n'));
  const [schema, ...preload] = await loadSchemas();
  const result = await validateXML({
    xml: [{ fileName: 'activities.xml', contents: Buffer.concat(parts) }],
    schema: [schema],
    preload,
    // The batch is a few megabytes; libxml2 builds a tree of it (about ten times its size).
    maxMemoryPages: 16 * 256,
  });
  const problems: IatiProblem[][] = activities.map(() => []);
  if (result.valid) return problems;
  for (const error of result.errors) {
    if (!error.loc) continue; // the echo of a source line and its caret under a parser error
    let i = starts.length - 1;
    while (i > 0 && starts[i] > error.loc.lineNumber) i--;
    const { element, detail } = describe(error);
    problems[i].push({ line: activities[i].line + (error.loc.lineNumber - starts[i]), element, rule: 'schema', detail });
  }
  // A failure without a line (it should not happen) still makes every activity of the batch invalid.
  if (problems.every((p) => p.length === 0))
    for (const [i, a] of activities.entries())
      problems[i].push({ line: a.line, element: 'iati-activity', rule: 'schema', detail: result.rawOutput.trim().split('\n')[0] });
  return problems;
}

/**
 * Passes the reader's items through, each activity checked against the schema as well: an
 * activity the schema refuses becomes invalid with the schema's problems added to any the
 * reader found. Items need their `source` (read with `withSource`); it is dropped here.
 */
export async function* withSchemaCheck(items: AsyncIterable<IatiItem>, batchBytes = SCHEMA_BATCH_BYTES): AsyncGenerator<IatiItem> {
  let batch: IatiItem[] = [];
  let bytes = 0;
  async function* flush(): AsyncGenerator<IatiItem> {
    if (batch.length === 0) return;
    const sources = batch.map((item) => item.source!);
    const problems = await validateBatch(sources[0].rootTag, sources);
    for (const [i, item] of batch.entries()) {
      const found = problems[i];
      if (item.kind === 'invalid') {
        // The reader's own wording comes first; the schema adds what the reader did not see
        // (the same element at the same line, `value` or `value/@currency`, is the same problem).
        const key = (p: IatiProblem) => `${p.line} ${p.element.split('/@')[0]}`;
        const known = new Set(item.invalid.problems.map(key));
        item.invalid.problems.push(...found.filter((p) => !known.has(key(p))));
        item.invalid.problems.sort((a, b) => a.line - b.line);
        yield { kind: 'invalid', invalid: item.invalid };
      } else if (found.length > 0) {
        const a = item.activity;
        yield {
          kind: 'invalid',
          invalid: { line: a.line, identifier: a.identifier, transactions: a.transactions.length, problems: found },
        };
      } else yield { kind: 'activity', activity: item.activity };
    }
    batch = [];
    bytes = 0;
  }
  for await (const item of items) {
    if (!item.source) throw new Error('withSchemaCheck needs items read with withSource');
    batch.push(item);
    bytes += item.source.bytes.length;
    if (bytes >= batchBytes) yield* flush();
  }
  yield* flush();
}
