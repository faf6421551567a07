package com.ecommerce.eventhub.email;

/**
 * A rendered e-mail.
 *
 * @param subject one line, no line breaks
 * @param html the HTML part, values HTML-escaped
 * @param text the plain-text part
 */
record RenderedMail(String subject, String html, String text) {
}
