/**
 * Replacing a method in place so that the replacement looks like the
 * original where a program can see it: same property attributes, same
 * function `name` and `length`.
 *
 * @module
 */

/** A method as the shim sees it: any receiver, any arguments. */
export type Method = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Replaces `owner[key]` with `make(original)`. Throws when the property is
 * missing or not a function, so a runtime change shows up at once.
 */
export function replaceMethod(
  owner: object,
  key: string,
  make: (original: Method) => Method,
): void {
  const descriptor = Object.getOwnPropertyDescriptor(owner, key);
  if (descriptor === undefined || typeof descriptor.value !== "function") {
    throw new Error(`Cannot patch "${key}": not an own method of its owner`);
  }
  const original = descriptor.value as Method;
  const replacement = make(original);
  Object.defineProperty(replacement, "name", { value: original.name, configurable: true });
  Object.defineProperty(replacement, "length", { value: original.length, configurable: true });
  Object.defineProperty(owner, key, { ...descriptor, value: replacement });
}

/** The object on `start`'s prototype chain (itself included) that owns `key`. */
export function ownerOf(start: object, key: string): object {
  for (let o: object | null = start; o !== null; o = Object.getPrototypeOf(o)) {
    if (Object.prototype.hasOwnProperty.call(o, key)) return o;
  }
  throw new Error(`Cannot patch "${key}": no object on the prototype chain owns it`);
}

/**
 * Gives one `instance` its own non-enumerable `key` made from the method it
 * inherits, leaving the prototype and every other instance untouched.
 */
export function shadowMethod(
  instance: object,
  key: string,
  make: (original: Method) => Method,
): void {
  const original = Reflect.get(instance, key) as unknown;
  if (typeof original !== "function") {
    throw new Error(`Cannot patch "${key}": the instance has no such method`);
  }
  const replacement = make(original as Method);
  Object.defineProperty(replacement, "name", { value: original.name, configurable: true });
  Object.defineProperty(replacement, "length", { value: original.length, configurable: true });
  Object.defineProperty(instance, key, {
    value: replacement,
    writable: true,
    enumerable: false,
    configurable: true,
  });
}
