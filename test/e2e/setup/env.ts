/*
 * Runs before each e2e test file. The stack's settings come from `eval "$(bin/cv3-stack env)"` (bin/test does it).
 * Keep the app's own logs quiet in test output unless asked otherwise.
 */
process.env.CV3_LOG_LEVEL ??= 'warn';
// Apps under test load an ontology only when a test configures one (the fixture in test/fixtures/hpo): without
// this, every app would parse the full HPO the stack fetched.
delete process.env.CV3_HPO_DIR;

const required = ['CV3_STACK_RUN', 'VAULT_ROLE_ID', 'VAULT_SECRET_ID', 'CV3_KEYCLOAK_URL', 'CV3_SMTP_MAILDIR'];
const missing = required.filter((k) => !process.env[k]);
if (missing.length > 0) {
  throw new Error(
    `e2e tests need the service stack: run "bin/cv3-stack up" and "eval \\"$(bin/cv3-stack env)\\"" ` +
      `(or just "npm test"). Missing: ${missing.join(', ')}`,
  );
}
