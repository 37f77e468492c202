/**
 * @module query/plain-http
 * The plain-HTTP port (HTTP_PORT) carries no credentials: a bearer token sent there has already
 * crossed the network in cleartext, and accepting it would teach clients to keep doing so. Every
 * request with an Authorization header gets a 400 that says where to send it instead.
 */
import { Hono } from 'hono';

export const CLEARTEXT_CREDENTIALS =
  'credentials over plain HTTP are refused: this request sent an Authorization header in cleartext; ' +
  'send it to the HTTPS port (QUERY_PORT) instead, and treat that token as exposed';

/** `app` behind the refusal, for the plain-HTTP listener. */
export function refuseCredentials(app: Hono): Hono {
  const outer = new Hono();
  outer.use('*', async (c, next) => {
    if (c.req.header('authorization') !== undefined) return c.json({ error: CLEARTEXT_CREDENTIALS }, 400);
    await next();
  });
  outer.all('*', (c) => app.fetch(c.req.raw, c.env));
  return outer;
}
