import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiResponse, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import type { ErrorBody } from './error-response.js';
import type { FieldProblem } from './hub.exception.js';

/**
 * How the hub describes its responses in the OpenAPI document, so a client generated from it gets real
 * types: response classes beside each library's views, one error shape, and pages of any item class.
 */

@ApiSchema({ name: 'FieldProblem', description: 'One field-level problem: which field, which rule, and what to do about it.' })
export class FieldProblemDto implements FieldProblem {
  @ApiProperty({ example: 'email', description: 'The field, as a path into the request (`recipients[0].id`)' })
  field: string;

  @ApiProperty({ example: 'isEmail', description: 'The rule that failed' })
  rule: string;

  @ApiProperty({ example: 'email must be an email address' })
  message: string;
}

/** What `toErrorResponse` sends for every error, deliberate or not. */
@ApiSchema({ name: 'Error', description: 'The one shape of every error the hub answers (4xx and 5xx).' })
export class ErrorBodyDto implements ErrorBody {
  @ApiProperty({ example: 400, description: 'The HTTP status, repeated' })
  statusCode: number;

  @ApiProperty({
    example: 'VALIDATION_FAILED',
    description: 'Stable code a client can branch on: VALIDATION_FAILED, NOT_FOUND, CONFLICT, UNAUTHENTICATED, FORBIDDEN, ' +
      'TOO_MANY_REQUESTS, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, INTERNAL, or a module\'s own (AUTH_INVALID_CREDENTIALS, …)',
  })
  code: string;

  @ApiProperty({ example: 'email must be an email address', description: 'Meant for the user' })
  message: string;

  @ApiPropertyOptional({ type: [FieldProblemDto], description: 'Each field that failed, with its rule' })
  details?: FieldProblemDto[];

  @ApiPropertyOptional({ description: 'The request id, also sent as the x-request-id header' })
  requestId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only on 500: the id under which the failure is logged; quote it when reporting' })
  errorId?: string;
}

/** Statuses the hub answers with the error shape, and what each means for any operation. */
const ERROR_MEANINGS = {
  400: 'The request is malformed or fails validation; `details` names each field and rule.',
  401: 'The credential is missing, wrong, expired or revoked.',
  403: "The caller's kind or role does not allow this operation.",
  404: 'No such resource, or one the caller may not see (both answer alike).',
  409: 'The version named is stale, or the change conflicts with the current state.',
  413: 'The request body is larger than this hub accepts.',
  415: 'The request body is not sent as application/json.',
  422: 'Well-formed but refused by a rule (a marking, an idempotency key reused); `details` says which.',
  429: 'Too many attempts; retry after the Retry-After header.',
  500: 'The hub failed; the body carries an errorId that is also in its log.',
} as const;

export type ErrorStatus = keyof typeof ERROR_MEANINGS;

/**
 * Documents the error responses an operation can answer, each with the one error shape. Apply per
 * operation, or per controller for what all its operations share (a method's own list adds to it).
 * 500 is always included: any operation can fail unexpectedly.
 */
export function ApiErrors(...statuses: ErrorStatus[]): MethodDecorator & ClassDecorator {
  const all = [...new Set<ErrorStatus>([...statuses, 500])].sort((a, b) => a - b);
  return applyDecorators(
    ApiExtraModels(ErrorBodyDto),
    ...all.map((status) => ApiResponse({ status, description: ERROR_MEANINGS[status], type: ErrorBodyDto })),
  );
}

/** The errors any operation with a JSON body can answer before its handler runs. */
export const BODY_ERRORS: readonly ErrorStatus[] = [400, 413, 415];

const NEXT_CURSOR = {
  type: 'string',
  nullable: true,
  description: 'Pass as `cursor` to read the next page; null on the last page.',
} as const;

/** A 200 answer that is one page of `item`: `{ items, nextCursor }` (see `Page` in cursor.ts). */
export function ApiPageResponse(item: Type<unknown>, description = 'One page, in the list\'s order') {
  return applyDecorators(
    ApiExtraModels(item),
    ApiOkResponse({
      description,
      schema: {
        type: 'object',
        required: ['items', 'nextCursor'],
        properties: { items: { type: 'array', items: { $ref: getSchemaPath(item) } }, nextCursor: NEXT_CURSOR },
      },
    }),
  );
}

/** A whole, bounded list `{ items }` (no cursor); `status` 201 for a create that answers what it made. */
export function ApiItemsResponse(item: Type<unknown>, options: { description?: string; status?: 200 | 201 } = {}) {
  return applyDecorators(
    ApiExtraModels(item),
    ApiResponse({
      status: options.status ?? 200,
      description: options.description ?? 'The whole list',
      schema: {
        type: 'object',
        required: ['items'],
        properties: { items: { type: 'array', items: { $ref: getSchemaPath(item) } } },
      },
    }),
  );
}

/**
 * Compile-time proof that a response class describes a view: the same property names, and every value the
 * view function returns fits the class. Use as `true satisfies Describes<IncidentView, ReturnType<typeof ownerIncidentView>>;`
 * beside the class, so a view that gains or loses a field fails the type-check until its class follows.
 */
export type Describes<Dto, View> = [View] extends [Dto]
  ? [Exclude<KeysOf<View>, keyof Dto>, Exclude<keyof Dto, KeysOf<View>>] extends [never, never]
    ? true
    : { missing: Exclude<KeysOf<View>, keyof Dto>; extra: Exclude<keyof Dto, KeysOf<View>> }
  : { doesNotFit: View };

/** Every key of every member of a union (a view with a conditional part is one). */
type KeysOf<T> = T extends unknown ? keyof T : never;
