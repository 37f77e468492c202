/**
 * @module query/errors
 * Errors the query service turns into answers: a bad request parameter (400, naming the
 * parameter, never echoing its value) and an InfluxDB that cannot answer (503).
 */
import { HTTPException } from 'hono/http-exception';

/** A request parameter failed validation. The message names it and says what was expected. */
export class ParamError extends HTTPException {
  constructor(
    readonly param: string,
    readonly expected: string,
  ) {
    super(400, { message: `invalid parameter ${param}: ${expected}` });
    this.name = 'ParamError';
  }
}
