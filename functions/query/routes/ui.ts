/**
 * @module query/routes/ui
 * The page for people without Grafana, at `/` and `/ui`, and its files under `/ui/…`. The files
 * hold no data (they are open, like the probes); the data comes from the model API and
 * `/api/v1/ui/events`, which the guard checks (MODEL_AUTH). Strict Content-Security-Policy:
 * scripts, styles and requests only from this origin, no inline script, no frames.
 */
import { Hono, type Context } from 'hono';
import { ASSETS, type Asset } from '../ui/assets';

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const HEADERS = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  // For browsers that predate CSP's frame-ancestors.
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  // Small, and a new version must show at once after an upgrade.
  'cache-control': 'no-cache',
};

export function uiRoutes(): Hono {
  const app = new Hono({ strict: false });
  const page = ASSETS['/ui'] as Asset;
  app.get('/', (c) => serve(c, page));
  // The page's links are relative (`ui/page.js`), so it also works behind `kubectl proxy`'s
  // prefix; from `/ui/` they would miss, hence the redirect.
  app.get('/ui', (c) => (new URL(c.req.url).pathname.endsWith('/') ? c.redirect('../ui', 301) : serve(c, page)));
  for (const [path, asset] of Object.entries(ASSETS)) if (path !== '/ui') app.get(path, (c) => serve(c, asset));
  return app;
}

function serve(c: Context, asset: Asset): Response {
  return c.body(asset.body, 200, { 'content-type': asset.type, ...HEADERS });
}
