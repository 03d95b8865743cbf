import { ParseUUIDPipe } from '@nestjs/common';

/** Path ids: a malformed id answers 404 like an unknown one, so ids leak nothing. */
export const IdParam = () => new ParseUUIDPipe({ errorHttpStatusCode: 404 });
