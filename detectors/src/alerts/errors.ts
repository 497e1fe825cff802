/** Input that is well-formed but refers to something wrong: a 400 naming the field. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'FieldError';
  }
}

/** No rule, channel or silence with that id: a 404. */
export class NotFoundError extends Error {
  constructor(what: string, id: string) {
    super(`no ${what} with id ${id}`);
    this.name = 'NotFoundError';
  }
}
