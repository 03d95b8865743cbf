import { type ArgumentMetadata, Injectable, ValidationPipe, type ValidationError } from '@nestjs/common';
import { HubException, HubErrorCode, type FieldProblem } from './hub.exception.js';

/** Of several rules a field broke, the one that explains it: an unknown field or a wrong type comes first. */
const RULE_PRIORITY = [
  'whitelistValidation',
  'isDefined',
  'isString',
  'isInt',
  'isNumber',
  'isBoolean',
  'isArray',
  'isObject',
  'isUuid',
  'isEmail',
  'isIn',
  'isDateString',
  'matches',
];

function mostTelling(constraints: Record<string, string>): [string, string] {
  const entries = Object.entries(constraints);
  const rank = (rule: string) => (RULE_PRIORITY.includes(rule) ? RULE_PRIORITY.indexOf(rule) : RULE_PRIORITY.length);
  return entries.sort(([a], [b]) => rank(a) - rank(b))[0];
}

function flatten(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own: FieldProblem[] = [];
    if (error.constraints && Object.keys(error.constraints).length > 0) {
      const [rule, message] = mostTelling(error.constraints);
      own.push(
        rule === 'whitelistValidation'
          ? { field, rule: 'unknownField', message: `${field} is not a field this endpoint accepts` }
          : { field, rule, message: prefix ? `${prefix}.${message}` : message },
      );
    }
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * Validates bodies and queries against their DTO: unknown fields are refused, not dropped, and each
 * problem names the field and the rule that failed.
 */
@Injectable()
export class HubValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => {
        const details = flatten(errors);
        const summary = details.map((d) => d.message).join('; ');
        return new HubException(HubErrorCode.ValidationFailed, summary || 'request is not valid', { details });
      },
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const isDto = typeof metadata.metatype === 'function' && ![String, Number, Boolean, Array, Object].includes(metadata.metatype as never);
    if (isDto && (metadata.type === 'body' || metadata.type === 'query')) {
      if (value === undefined || value === null) value = {};
      if (typeof value !== 'object' || Array.isArray(value)) {
        throw HubException.invalid(metadata.type, 'isObject', `request ${metadata.type} must be a JSON object`);
      }
    }
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') {
      const problem = findUnstorableText(value, metadata.type === 'param' ? (metadata.data ?? 'id') : '');
      if (problem) {
        const field = problem.field || metadata.type;
        throw HubException.invalid(field, problem.rule, `${field} ${problem.why}`);
      }
    }
    return super.transform(value, metadata);
  }
}

interface TextProblem {
  field: string;
  rule: 'noNulCharacter' | 'wellFormedUnicode';
  why: string;
}

/**
 * Text PostgreSQL would refuse or store differently from what the hub hashed: U+0000, which text cannot
 * hold, and a lone UTF-16 surrogate, which it would store as U+FFFD (so a log entry could never verify
 * again). Found in every string and every key of the input, before the database sees it, naming where.
 */
function findUnstorableText(value: unknown, path: string): TextProblem | null {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return { field: path, rule: 'noNulCharacter', why: 'contains a NUL character, which text fields cannot hold' };
    if (!value.isWellFormed()) return { field: path, rule: 'wellFormedUnicode', why: 'contains a lone UTF-16 surrogate, which is not a character: send well-formed Unicode' };
    return null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = findUnstorableText(value[i], path ? `${path}.${i}` : String(i));
      if (found) return found;
    }
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const found = findUnstorableText(key, path) ?? findUnstorableText(inner, path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return null;
}
