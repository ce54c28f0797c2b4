/*
 * Reader of `hp.obo` (OBO flat file format 1.2, as the HPO publishes it). Only `[Term]` stanzas are read; the
 * header and `[Typedef]`/`[Instance]` stanzas are skipped. From each term we keep what the term service needs:
 * id, name, def, synonyms (all scopes), comment, is_a, is_obsolete, replaced_by, consider and alt_id; every other
 * tag (xref, property_value, subset, ...) is ignored. IDs are stored without their `HP:` prefix.
 *
 * The file is read line by line, so only the terms themselves are held in memory. The first problem found stops
 * the read with an `OntologyInputError` carrying the 1-based line number: a term without id or name, an id given
 * twice, a value that should be an HPO ID and is not, an unterminated quoted string, a line that is not `tag: value`.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { normaliseHpoId, type OntologyTerm } from '../similarity.types';

/** A problem with an ontology or annotation file: reading it again cannot help. */
export class OntologyInputError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = 'OntologyInputError';
  }
}

/** The lines of a text file, read as a stream (`\r\n` endings are handled by readline). */
export async function* readLines(path: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  try {
    for await (const line of rl) {
      yield line;
    }
  } finally {
    rl.close();
  }
}

export async function readOboFile(path: string): Promise<OntologyTerm[]> {
  const parser = new OboParser();
  try {
    for await (const line of readLines(path)) {
      parser.push(line);
    }
    return parser.finish();
  } catch (err) {
    if (err instanceof OntologyInputError) {
      err.message = `${path}: ${err.message}`;
    }
    throw err;
  }
}

/** Same as `readOboFile` over lines already in memory (tests). */
export function parseOboLines(lines: Iterable<string>): OntologyTerm[] {
  const parser = new OboParser();
  for (const line of lines) {
    parser.push(line);
  }
  return parser.finish();
}

/** A term being read, with the line of its `[Term]` header for error messages. */
interface TermDraft extends Omit<OntologyTerm, 'id' | 'label'> {
  id?: string;
  label?: string;
  startLine: number;
}

/** Tags whose value is an HPO ID (possibly followed by `{modifiers}` and a `! name` comment). */
const ID_TAGS = new Set(['id', 'is_a', 'replaced_by', 'consider', 'alt_id']);

class OboParser {
  private readonly terms: OntologyTerm[] = [];
  private readonly seen = new Set<string>();
  private lineNo = 0;
  /** The stanza being read: a term, or undefined in the header and in stanzas we skip. */
  private draft: TermDraft | undefined;

  push(raw: string): void {
    this.lineNo++;
    // A byte-order mark only ever sits on line 1; trim() also drops the `\r` of CRLF lines split by hand.
    const line = (this.lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
    if (line === '' || line.startsWith('!')) {
      return;
    }
    const stanza = /^\[(\w+)\]$/.exec(line);
    if (stanza) {
      this.closeStanza();
      if (stanza[1] === 'Term') {
        this.draft = {
          startLine: this.lineNo,
          definition: '',
          synonyms: [],
          comment: '',
          parents: [],
          obsolete: false,
          replacedBy: [],
          consider: [],
          altIds: [],
        };
      }
      return;
    }
    if (!this.draft) {
      return; // header or a skipped stanza
    }
    const m = /^([A-Za-z_][\w-]*):\s*(.*)$/.exec(line);
    if (!m) {
      throw new OntologyInputError(`expected "tag: value", got "${line.slice(0, 80)}"`, this.lineNo);
    }
    this.addTag(this.draft, m[1], m[2]);
  }

  finish(): OntologyTerm[] {
    this.closeStanza();
    return this.terms;
  }

  private addTag(d: TermDraft, tag: string, value: string): void {
    if (ID_TAGS.has(tag)) {
      const id = this.parseId(tag, value);
      switch (tag) {
        case 'id':
          if (d.id !== undefined) {
            throw new OntologyInputError(`term ${d.id} has a second id ${id}`, this.lineNo);
          }
          d.id = id;
          break;
        case 'is_a':
          pushUnique(d.parents, id);
          break;
        case 'replaced_by':
          pushUnique(d.replacedBy, id);
          break;
        case 'consider':
          pushUnique(d.consider, id);
          break;
        case 'alt_id':
          pushUnique(d.altIds, id);
          break;
      }
      return;
    }
    switch (tag) {
      case 'name':
        d.label = unescapeObo(value);
        break;
      case 'def':
        d.definition = this.parseQuoted(tag, value);
        break;
      case 'synonym':
        pushUnique(d.synonyms, this.parseQuoted(tag, value));
        break;
      case 'comment':
        // OBO allows one comment; if a file has several, keep them all rather than silently drop one.
        d.comment = d.comment ? `${d.comment} ${unescapeObo(value)}` : unescapeObo(value);
        break;
      case 'is_obsolete':
        d.obsolete = value.trim() === 'true';
        break;
    }
  }

  /** `HP:0000118 {source="x"} ! Phenotypic abnormality` → `0000118`: the first token is the ID. */
  private parseId(tag: string, value: string): string {
    const token = value.split(/\s/, 1)[0];
    const id = normaliseHpoId(token);
    if (!id) {
      throw new OntologyInputError(`${tag}: "${token}" is not an HPO term ID`, this.lineNo);
    }
    return id;
  }

  /** `"text with \" escapes" EXACT [refs]` → the unescaped text between the quotes. */
  private parseQuoted(tag: string, value: string): string {
    if (!value.startsWith('"')) {
      throw new OntologyInputError(`${tag}: expected a quoted string`, this.lineNo);
    }
    for (let i = 1; i < value.length; i++) {
      if (value[i] === '\\') {
        i++; // skip the escaped character, whatever it is
      } else if (value[i] === '"') {
        return unescapeObo(value.slice(1, i));
      }
    }
    throw new OntologyInputError(`${tag}: unterminated quoted string`, this.lineNo);
  }

  private closeStanza(): void {
    const d = this.draft;
    this.draft = undefined;
    if (!d) {
      return;
    }
    if (d.id === undefined) {
      throw new OntologyInputError('[Term] without id', d.startLine);
    }
    if (d.label === undefined) {
      throw new OntologyInputError(`term ${d.id} has no name`, d.startLine);
    }
    if (this.seen.has(d.id)) {
      throw new OntologyInputError(`term ${d.id} is defined twice`, d.startLine);
    }
    this.seen.add(d.id);
    this.terms.push({
      id: d.id,
      label: d.label,
      definition: d.definition,
      synonyms: d.synonyms,
      comment: d.comment,
      // An obsolete term is outside the DAG (the HPO never gives one an is_a; ignore it if a file does).
      parents: d.obsolete ? [] : d.parents,
      obsolete: d.obsolete,
      replacedBy: d.replacedBy,
      consider: d.consider,
      altIds: d.altIds,
    });
  }
}

function pushUnique(list: string[], value: string): void {
  if (!list.includes(value)) {
    list.push(value);
  }
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', W: ' ' };

/** OBO escapes: `\n`, `\t`, `\W` (space); any other `\x` stands for `x` (`\"`, `\\`, `\{`, `\!`, ...). */
function unescapeObo(s: string): string {
  return s.includes('\\') ? s.replace(/\\(.)/g, (_, c: string) => ESCAPES[c] ?? c) : s;
}
