import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OntologyInputError, parseOboLines, readOboFile } from './obo-parser';

const FIXTURE = join(__dirname, '../../../../test/fixtures/hpo/hp.obo');

/** Splits a template literal into lines, dropping the indentation used to write it in the test. */
const lines = (text: string) => text.split('\n').map((l) => l.trim());

describe('parseOboLines', () => {
  it('should read every field of a term, without prefixes, and skip other tags, the header and Typedefs', () => {
    const terms = parseOboLines(
      lines(`format-version: 1.2
        remark: header lines are not terms

        [Term]
        id: HP:0002266
        name: Focal clonic seizure
        alt_id: HP:0002999
        def: "A focal \\"clonic\\" seizure." [PMID:28276060]
        comment: Jerking may spread (Jacksonian march).
        synonym: "Focal clonic seizures" EXACT plural_form []
        synonym: "Partial clonic seizure" RELATED [https://orcid.org/0000-0001-6908-9849]
        xref: UMLS:C0234985
        property_value: http://purl.org/dc/terms/date "2017" xsd:string
        is_a: HP:0007359 ! Focal-onset seizure
        is_a: HP:0020221 {source="ILAE"} ! Clonic seizure

        [Typedef]
        id: part_of
        name: part of`),
    );
    expect(terms).toEqual([
      {
        id: '0002266',
        label: 'Focal clonic seizure',
        definition: 'A focal "clonic" seizure.',
        synonyms: ['Focal clonic seizures', 'Partial clonic seizure'],
        comment: 'Jerking may spread (Jacksonian march).',
        parents: ['0007359', '0020221'],
        obsolete: false,
        replacedBy: [],
        consider: [],
        altIds: ['0002999'],
      },
    ]);
  });

  it('should keep obsolete terms with replaced_by and consider, outside the DAG', () => {
    const [term] = parseOboLines(
      lines(`[Term]
        id: HP:0001298
        name: obsolete Encephalopathy
        is_obsolete: true
        is_a: HP:0012638
        replaced_by: HP:0012638
        consider: HP:0001249
        consider: HP:0001250`),
    );
    expect(term).toMatchObject({
      id: '0001298',
      obsolete: true,
      parents: [],
      replacedBy: ['0012638'],
      consider: ['0001249', '0001250'],
    });
  });

  it('should unescape OBO escapes and handle CRLF lines and a byte-order mark', () => {
    const [term] = parseOboLines([
      '\uFEFF[Term]\r',
      'id: HP:0000001\r',
      'name: All\r',
      'def: "a \\\\ backslash, a\\ttab and a \\"quote\\"" []\r',
    ]);
    expect(term.definition).toBe('a \\ backslash, a\ttab and a "quote"');
    expect(term.label).toBe('All');
  });

  it.each([
    ['a term without id', '[Term]\nname: All', 'line 1: [Term] without id'],
    ['a term without name', '\n[Term]\nid: HP:0000001', 'line 2: term 0000001 has no name'],
    ['a second id', '[Term]\nid: HP:0000001\nid: HP:0000002', 'line 3: term 0000001 has a second id 0000002'],
    ['a term defined twice', '[Term]\nid: HP:0000001\nname: a\n[Term]\nid: HP:0000001\nname: b', 'line 4: term'],
    [
      'a parent that is not an HPO ID',
      '[Term]\nid: HP:0000002\nname: x\nis_a: GO:0008150',
      'line 4: is_a: "GO:0008150"',
    ],
    ['an unterminated definition', '[Term]\nid: HP:0000001\nname: All\ndef: "no end', 'line 4: def: unterminated'],
    ['an unquoted synonym', '[Term]\nid: HP:0000001\nname: All\nsynonym: Root EXACT []', 'line 4: synonym: expected'],
    ['a line that is not tag: value', '[Term]\nid: HP:0000001\nname: All\njust words', 'line 4: expected "tag: value"'],
  ])('should refuse %s with its line number', (_, text, message) => {
    expect(() => parseOboLines(text.split('\n'))).toThrow(OntologyInputError);
    expect(() => parseOboLines(text.split('\n'))).toThrow(message);
  });
});

describe('readOboFile', () => {
  it('should stream the fixture: 40 current and 3 obsolete terms', async () => {
    const terms = await readOboFile(FIXTURE);
    expect(terms.filter((t) => !t.obsolete)).toHaveLength(40);
    expect(terms.filter((t) => t.obsolete).map((t) => t.id)).toEqual(['0001298', '0002279', '0007334']);
    expect(terms.find((t) => t.id === '0000252')?.comment).toContain('The term "relative microcephaly"');
  });

  it('should name the file and the line in its errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cv3-obo-'));
    const path = join(dir, 'broken.obo');
    writeFileSync(path, 'format-version: 1.2\n\n[Term]\nname: no id\n');
    try {
      await expect(readOboFile(path)).rejects.toThrow(`${path}: line 3: [Term] without id`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
