import { describe, expect, it } from 'vitest';
import { databaseErrorToProblem } from './errors.ts';

describe('database errors as problems', () => {
  it('maps constraint violations to 409 and 400 with words a user understands', () => {
    expect(databaseErrorToProblem({ code: '23505', constraint: 'users_email_key' })).toMatchObject({
      status: 409,
      code: 'resource.conflict',
      detail: 'A user with this email already exists.',
    });
    expect(databaseErrorToProblem({ code: '23503' })).toMatchObject({ status: 409, code: 'resource.referenced' });
    expect(databaseErrorToProblem({ code: '23514' })).toMatchObject({ status: 400, code: 'request.invalid' });
    expect(databaseErrorToProblem({ code: 'P0001', hint: 'audit.append-only' })).toMatchObject({ status: 409, code: 'audit.append-only' });
  });

  it('maps a lost connection to 503 and leaves anything else to the 500 handler', () => {
    expect(databaseErrorToProblem({ code: 'ECONNREFUSED' })).toMatchObject({ status: 503 });
    expect(databaseErrorToProblem({ code: '57P01' })).toMatchObject({ status: 503 });
    expect(databaseErrorToProblem(new Error('boom'))).toBeUndefined();
    expect(databaseErrorToProblem({ code: '42P01' })).toBeUndefined();
  });
});
