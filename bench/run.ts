/*
 * `npm run bench -- <name>`: runs bench/<name>.ts. Each benchmark prints its figures and a ratio against a
 * baseline measured in the same run. Benchmarks need the service stack (`bin/cv3-stack up`, then
 * `eval "$(bin/cv3-stack env)"`).
 */
const name = process.argv[2];
const known = ['ingest', 'query', 'similarity'];
if (!name || !known.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <${known.join('|')}>\n`);
  process.exit(2);
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
require(`./${name}`);
