/*
 * CV3's variant classes and the stored `mutation` values (Sequence Ontology consequence terms, as VCF annotations
 * give them) that belong to each. The class name itself also belongs (a CSV may store `BRCA1:missense`).
 * Written out in docs/query-semantics.md.
 */
import type { MutationClass } from '../query.types';

export const MUTATION_TERMS: Record<MutationClass, readonly string[]> = {
  missense: [
    'missense_variant',
    'conservative_missense_variant',
    'non_conservative_missense_variant',
    'rare_amino_acid_variant',
    'protein_altering_variant',
  ],
  nonsense: ['stop_gained'],
  splice: [
    'splice_acceptor_variant',
    'splice_donor_variant',
    'splice_region_variant',
    'splice_donor_5th_base_variant',
    'splice_donor_region_variant',
    'splice_polypyrimidine_tract_variant',
  ],
  frameshift: ['frameshift_variant'],
  lossOfStart: ['start_lost', 'initiator_codon_variant'],
  lossOfStop: ['stop_lost'],
  indel: [
    'inframe_insertion',
    'inframe_deletion',
    'disruptive_inframe_insertion',
    'disruptive_inframe_deletion',
    'conservative_inframe_insertion',
    'conservative_inframe_deletion',
  ],
  nonCoding: [
    '5_prime_UTR_variant',
    '3_prime_UTR_variant',
    'intron_variant',
    'non_coding_transcript_variant',
    'non_coding_transcript_exon_variant',
    'upstream_gene_variant',
    'downstream_gene_variant',
    'intergenic_variant',
    'mature_miRNA_variant',
    'NMD_transcript_variant',
    'regulatory_region_variant',
    'TF_binding_site_variant',
  ],
};

/** The stored `mutation` values of these classes (class names included), each once. */
export function mutationValues(classes: readonly MutationClass[]): string[] {
  const out = new Set<string>();
  for (const c of classes) {
    out.add(c);
    for (const t of MUTATION_TERMS[c]) {
      out.add(t);
    }
  }
  return [...out];
}
