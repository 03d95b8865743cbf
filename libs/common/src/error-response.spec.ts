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
});
