import type { INestApplication } from '@nestjs/common';
import { SettingsService } from '@/modules/settings/settings.service';
import { SimilarityService } from '@/modules/similarity/similarity.service';

/** The similarity module loads its ontology in the background after start: resolves once it answers. */
export async function waitForSimilarity(app: INestApplication, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await app.get(SimilarityService).info();
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        throw err;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Turns the system setting federationSettings.anonymousAccess on or off. */
export async function setAnonymousAccess(app: INestApplication, on: boolean): Promise<void> {
  const settings = app.get(SettingsService);
  const config = await settings.getSystemConfig();
  await settings.replaceSystemConfig({
    ...config,
    federationSettings: { ...config.federationSettings, anonymousAccess: on },
  });
}
