/**
 * The operator console at {@code /console}: server-rendered pages (JMustache, every value
 * HTML-escaped, no script) over the operations capabilities — overview, dead letters,
 * routes, event lookup, scoped replay and the audit trail — behind a sign-in with an
 * admin API key that becomes a short-lived, HttpOnly, SameSite=Strict session cookie,
 * with a CSRF token on every form.
 */
package com.ecommerce.eventhub.console;
