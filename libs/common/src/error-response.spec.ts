import type { Logger } from 'pino';
import { toErrorResponse } from './error-response.js';
import { HubException } from './hub.exception.js';

describe('toErrorResponse', () => {
  const logged: unknown[] = [];
  const logger = { error: (obj: unknown) => logged.push(obj) } as unknown as Logger;

  it('keeps a deliberate error as it is', () => {
    const res = toErrorResponse(HubException.invalid('email', 'isEmail', 'email must be an email address'), 'req-1', logger);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', requestId: 'req-1', details: [{ field: 'email', rule: 'isEmail' }] });
  });

  it('answers an unexpected error with 500 and an error id, logs it without the SQL parameters', () => {
    const driverError = Object.assign(new Error('invalid byte sequence'), {
      code: '22021',
      query: 'INSERT INTO users (password_hash) VALUES ($1)',
      parameters: ['$argon2id$v=19$secret-hash'],
    });
    const res = toErrorResponse(driverError, 'req-2', logger);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      statusCode: 500,
      code: 'INTERNAL',
      message: expect.stringContaining('error id'),
      errorId: expect.any(String),
      requestId: 'req-2',
    });
    expect(JSON.stringify(res.body)).not.toContain('invalid byte sequence');
    expect(JSON.stringify(logged)).not.toContain('argon2id');
    expect(JSON.stringify(logged)).toContain(res.body.errorId as string);
  });

  it('cuts a long message before it reaches the log or the client', () => {
    logged.length = 0;
    const res = toErrorResponse(new Error(`bad ${'x'.repeat(9000)}`), 'req-3', logger);
    expect(res.status).toBe(500);
    const entry = logged[0] as { err: { message: string; stack: string } };
    expect(entry.err.message.length).toBeLessThan(600);
    expect(entry.err.stack).not.toContain('x'.repeat(600));

    const tooLong = Object.assign(new Error(`'/api/v1/incidents/${'a'.repeat(9000)}' is exceeding the max param length`), {
      code: 'FST_ERR_MAX_PARAM_LENGTH',
      statusCode: 414,
    });
    const refused = toErrorResponse(tooLong, 'req-4', logger);
    expect(refused.status).toBe(414);
    expect(JSON.stringify(refused.body).length).toBeLessThan(600);
  });
});
