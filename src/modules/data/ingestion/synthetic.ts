/*
 * Synthetic VCF and CSV files for the ingestion benchmark and tests. Written line by line with back-pressure, so a
 * 200,000 × 100 VCF needs no more memory than a small one. A seeded PRNG makes every run produce the same bytes.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';

/** mulberry32: small, fast, good enough for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const SYNTHETIC_GENES = (
  'ABCA4 ABCC6 ACTA2 ACTC1 ACVRL1 ADA ALK APC APOB APOE AR ARX ATM ATP7A ATP7B ATRX BAP1 BARD1 BMPR1A BMPR2 BRAF ' +
  'BRCA1 BRCA2 BRIP1 BTK CACNA1A CACNA1C CACNA1S CAPN3 CASR CBL CDH1 CDH23 CDK4 CDKL5 CDKN2A CEP290 CFTR CHD7 CHEK2 ' +
  'CHRNA1 CLCN1 COL1A1 COL1A2 COL2A1 COL3A1 COL4A3 COL4A5 COL6A1 COL7A1 CREBBP CRX CTNNB1 CYP21A2 DES DICER1 DMD ' +
  'DNM2 DSC2 DSG2 DSP DYSF EGFR EP300 EPCAM ERBB2 EYA1 EZH2 F5 F8 F9 FBN1 FGFR1 FGFR2 FGFR3 FH FLCN FLNA FMR1 FOXG1 ' +
  'GAA GATA4 GBA1 GJB2 GLA GLB1 GNAQ GNAS GRIN2A GRIN2B HBA1 HBB HEXA HFE HNF1A HNF1B HNF4A HRAS IDH1 IDUA IKZF1 ' +
  'JAG1 KCNH2 KCNQ1 KCNQ2 KCNJ11 KIT KMT2A KMT2D KRAS L1CAM LDLR LMNA LRRK2 MAP2K1 MAPT MECP2 MED12 MEN1 MET MLH1 ' +
  'MSH2 MSH6 MUTYH MYBPC3 MYH7 MYH9 MYL2 MYO7A NF1 NF2 NOTCH1 NOTCH3 NPC1 NRAS NSD1 OTC PAH PALB2 PAX6 PCDH19 PKD1 ' +
  'PKD2 PKP2 PMS2 PNKP POLE POLG PRKAG2 PRSS1 PTEN PTPN11 RAD51C RAD51D RAF1 RB1 RET RPE65 RUNX1 RYR1 RYR2 SCN1A ' +
  'SCN2A SCN5A SCN8A SDHB SDHD SHOX SLC26A4 SMAD4 SMARCB1 SMN1 SOS1 SOX9 SPAST SPTAN1 STK11 STXBP1 SYNGAP1 TAZ TCF4 ' +
  'TGFBR1 TGFBR2 TMEM43 TNNI3 TNNT2 TP53 TPM1 TSC1 TSC2 TTN TTR UBE3A USH2A VHL WT1 ZEB2 ZNF423 NIPBL SETBP1 ASXL1'
).split(' ');

const CONSEQUENCES: Array<[string, string, number]> = [
  ['missense_variant', 'MODERATE', 0.45],
  ['synonymous_variant', 'LOW', 0.25],
  ['intron_variant', 'MODIFIER', 0.12],
  ['stop_gained', 'HIGH', 0.05],
  ['frameshift_variant', 'HIGH', 0.05],
  ['splice_region_variant', 'LOW', 0.04],
  ['3_prime_UTR_variant', 'MODIFIER', 0.04],
];

const HPO_TERMS = [
  '0001250',
  '0001263',
  '0000252',
  '0001249',
  '0000729',
  '0002650',
  '0001631',
  '0004322',
  '0000486',
  '0001629',
  '0000316',
  '0000365',
  '0001156',
  '0001508',
  '0002120',
  '0000750',
  '0001270',
  '0000717',
  '0002020',
  '0001999',
];
const ORDO_TERMS = ['558', '778', '199', '881', '636', '98896', '586', '774', '1331', '284'];

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)];
}

function pickWeighted(rand: () => number): [string, string] {
  let r = rand();
  for (const [c, impact, w] of CONSEQUENCES) {
    if ((r -= w) < 0) {
      return [c, impact];
    }
  }
  return [CONSEQUENCES[0][0], CONSEQUENCES[0][1]];
}

async function writeLines(path: string, lines: Iterable<string>, gzip: boolean): Promise<void> {
  if (gzip) {
    await pipeline(Readable.from(lines), createGzip(), createWriteStream(path));
    return;
  }
  const out: WriteStream = createWriteStream(path);
  try {
    for (const line of lines) {
      if (!out.write(line)) {
        await once(out, 'drain');
      }
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
}

export interface SyntheticVcfOptions {
  records: number;
  samples: number;
  seed?: number;
  /** Write gzip (a single member; readers handle bgzip's many members the same way). */
  gzip?: boolean;
  /** Fraction of records that carry INFO AF (the others have it computed from genotypes). Default 0.5. */
  afFraction?: number;
}

function* vcfLines(o: SyntheticVcfOptions): Generator<string> {
  const rand = seededRandom(o.seed ?? 1);
  const samples = Array.from({ length: o.samples }, (_, i) => `S${String(i + 1).padStart(5, '0')}`);
  yield '##fileformat=VCFv4.2\n';
  yield '##source=cv3-synthetic\n';
  yield '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele Frequency">\n';
  yield '##INFO=<ID=ANN,Number=.,Type=String,Description="Functional annotations: \'Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | HGVS.p\'">\n';
  yield '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n';
  yield `#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t${samples.join('\t')}\n`;
  const bases = ['A', 'C', 'G', 'T'];
  let pos = 10000;
  let chrom = 1;
  const perChrom = Math.ceil(o.records / 22);
  for (let i = 0; i < o.records; i++) {
    if (i > 0 && i % perChrom === 0) {
      chrom++;
      pos = 10000;
    }
    pos += 1 + Math.floor(rand() * 5000);
    const ref = pick(rand, bases);
    const alt = bases[(bases.indexOf(ref) + 1 + Math.floor(rand() * 3)) % 4];
    const gene = pick(rand, SYNTHETIC_GENES);
    const [consequence, impact] = pickWeighted(rand);
    // Most variants are rare: p is skewed toward 0 (p = 0.5·u³), genotypes follow Hardy–Weinberg.
    const p = 0.5 * rand() ** 3;
    const q0 = (1 - p) ** 2;
    const q1 = q0 + 2 * p * (1 - p);
    const gts = new Array<string>(o.samples);
    let altCount = 0;
    for (let s = 0; s < o.samples; s++) {
      const r = rand();
      if (r < q0) {
        gts[s] = '0/0';
      } else if (r < q1) {
        gts[s] = '0/1';
        altCount += 1;
      } else {
        gts[s] = '1/1';
        altCount += 2;
      }
    }
    const ann = `ANN=${alt}|${consequence}|${impact}|${gene}|${gene}|transcript|NM_${100000 + (i % 900000)}.1|protein_coding|1/1|c.${100 + (i % 5000)}${ref}>${alt}|.`;
    const info = rand() < (o.afFraction ?? 0.5) ? `AF=${(altCount / (2 * o.samples)).toFixed(4)};${ann}` : ann;
    yield `chr${chrom}\t${pos}\t.\t${ref}\t${alt}\t50\tPASS\t${info}\tGT\t${gts.join('\t')}\n`;
  }
}

/** Writes a synthetic, ANN-annotated VCF with `records` records × `samples` samples. */
export async function writeSyntheticVcf(path: string, options: SyntheticVcfOptions): Promise<void> {
  await writeLines(path, vcfLines(options), options.gzip ?? false);
}

export interface SyntheticCsvOptions {
  rows: number;
  /** Total columns, at least 6: subject_id, hpo, ordo, age, sex, affected, then alternating numeric/categorical. */
  columns: number;
  seed?: number;
  /** Rows per subject (consecutive rows share the subject_id). Default 1. */
  rowsPerSubject?: number;
}

function* csvLines(o: SyntheticCsvOptions): Generator<string> {
  const rand = seededRandom(o.seed ?? 2);
  const extra = Math.max(0, o.columns - 6);
  const header = ['subject_id', 'hpo', 'ordo', 'age', 'sex', 'affected'];
  for (let i = 0; i < extra; i++) {
    header.push(i % 2 === 0 ? `measure_${i + 1}` : `category_${i + 1}`);
  }
  yield `${header.join(',')}\n`;
  const perSubject = Math.max(1, o.rowsPerSubject ?? 1);
  for (let r = 0; r < o.rows; r++) {
    const subject = `P${String(Math.floor(r / perSubject) + 1).padStart(7, '0')}`;
    const nHpo = 1 + Math.floor(rand() * 3);
    const hpo = Array.from({ length: nHpo }, () => `HP:${pick(rand, HPO_TERMS)}`).join(',');
    const ordo = rand() < 0.6 ? `ORPHA:${pick(rand, ORDO_TERMS)}` : '';
    const cells = [
      subject,
      nHpo > 1 ? `"${hpo}"` : hpo,
      ordo,
      String(Math.floor(rand() * 90)),
      rand() < 0.5 ? 'female' : 'male',
      rand() < 0.3 ? 'true' : 'false',
    ];
    for (let i = 0; i < extra; i++) {
      cells.push(i % 2 === 0 ? (rand() * 100).toFixed(2) : `level_${Math.floor(rand() * 8)}`);
    }
    yield `${cells.join(',')}\n`;
  }
}

/** Writes a synthetic CSV (subject_id, hpo with `,`-separated terms in quotes, ordo, numeric and categorical EAV). */
export async function writeSyntheticCsv(path: string, options: SyntheticCsvOptions): Promise<void> {
  await writeLines(path, csvLines(options), false);
}
