import { readFileSync } from 'node:fs';
import { generateOpenApi, OPENAPI_FILE, serialise } from './generate';

describe('OpenAPI document', () => {
  it('should match the committed docs/openapi.json (run `npm run openapi` after changing routes)', async () => {
    const doc = await generateOpenApi();
    expect(serialise(doc)).toBe(readFileSync(OPENAPI_FILE, 'utf8'));
  });

  it('should give every operation a tag, a summary, responses and its security', async () => {
    const doc = await generateOpenApi();
    const problems: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item as Record<string, any>)) {
        const where = `${method.toUpperCase()} ${path}`;
        if (!op.tags?.length) {
          problems.push(`${where}: no tag`);
        }
        if (!op.summary) {
          problems.push(`${where}: no summary`);
        }
        if (!op.responses || Object.keys(op.responses).length === 0) {
          problems.push(`${where}: no responses`);
        }
        // Public routes say so with `security: [{}]`; every other names its scheme.
        if (!op.security?.length) {
          problems.push(`${where}: no security`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
