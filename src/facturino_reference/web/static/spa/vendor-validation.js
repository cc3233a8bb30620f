// Client-side validation as the login form's Vuelidate rules do it: the first failing rule of
// each field gives its message, and an invalid form sends no request.

export const required = (value) => typeof value === "string" && value.trim() !== "";

// A plain address check (local part, @, a dotted domain); an empty value is not judged here,
// `required` says that.
const EMAIL = /^[^\s@"(),:;<>[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
export const email = (value) => !value || EMAIL.test(value);

// rules: {field: [[check, message], ...]}; returns {field: message} for the invalid fields.
export function validate(rules, data) {
  const errors = {};
  for (const [field, checks] of Object.entries(rules)) {
    const failed = checks.find(([check]) => !check(data[field]));
    if (failed) errors[field] = failed[1];
  }
  return errors;
}
