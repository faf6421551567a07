package com.ecommerce.eventhub.email;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.ecommerce.eventhub.config.MailProperties;
import com.ecommerce.eventhub.consumers.CurrentAttempt;
import com.ecommerce.eventhub.consumers.EventHandler;
import com.ecommerce.eventhub.consumers.RetryLaterException;
import com.ecommerce.eventhub.envelope.Envelope;
import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.envelope.PermanentFailureException;
import com.ecommerce.eventhub.outbox.OutboxStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Route {@code email-send}: renders and sends the mail of an
 * {@code email.notification-requested} event, and answers in the outbox with
 * {@code email.sent} (messageId = the sent mail's Message-ID) or {@code email.failed}. No
 * database connection is held while the SMTP server answers: the events are written
 * afterwards, each answer in a short transaction of its own.
 *
 * <p>
 * A transient failure (SMTP unreachable, a timeout, a 4xx answer) first fails the attempt
 * ({@link RetryLaterException}): the route tries again within seconds, and its circuit
 * breaker counts it, so while the server is down the requests wait for it rather than
 * being scheduled minutes ahead. Only the route's last attempt
 * ({@link CurrentAttempt#isLast()}) falls back to a retry through the outbox, not in
 * memory: the handler writes {@code email.failed} with {@code willRetry=true} and a copy
 * of the request with {@code retryAttempts + 1} whose {@code available_at} is the
 * {@code nextRetryAt} of the failure, so the retry survives a restart (and still tells
 * the breaker the server failed). A permanent failure (SMTP 5xx, an invalid address) or
 * the last failed retry writes {@code email.failed} with {@code willRetry=false}
 * (committed on its own) and dead-letters the request. In {@code email.failed},
 * {@code retryAttempt} is the number of the durable try that failed, 1 for the first
 * request; each such try is made of the route's attempts.
 */
@Component
class EmailRequestHandler implements EventHandler {

	private static final Logger log = LoggerFactory.getLogger(EmailRequestHandler.class);

	private final EmailTemplates templates;

	private final SmtpMailer mailer;

	private final OutboxStore outbox;

	private final TransactionTemplate ownTransaction;

	private final MailProperties.Retry retry;

	private final Clock clock;

	private final MeterRegistry meters;

	EmailRequestHandler(EmailTemplates templates, SmtpMailer mailer, OutboxStore outbox,
			PlatformTransactionManager transactions, MailProperties mail, Clock clock, MeterRegistry meters) {
		this.templates = templates;
		this.mailer = mailer;
		this.outbox = outbox;
		this.ownTransaction = new TransactionTemplate(transactions);
		this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.retry = mail.retry();
		this.clock = clock;
		this.meters = meters;
		for (String templateType : EmailTemplates.TYPES) {
			meters.counter("eventhub.email.sent", "template_type", templateType);
			meters.counter("eventhub.email.failed", "template_type", templateType, "will_retry", "true");
			meters.counter("eventhub.email.failed", "template_type", templateType, "will_retry", "false");
		}
	}

	@Override
	public Map<String, Set<Integer>> supportedVersions() {
		return Map.of("email.notification-requested", Set.of(1));
	}

	/**
	 * Waits on the SMTP server: runs with no transaction, and writes its events in short
	 * ones.
	 */
	@Override
	public boolean transactional() {
		return false;
	}

	@Override
	public void handle(Envelope request) throws RetryLaterException {
		JsonNode payload = request.payload();
		String recipient = validRecipient(payload.path("recipient").asText(""));
		String templateType = payload.path("templateType").asText();
		RenderedMail mail = this.templates.render(templateType, payload.path("data"));
		try {
			String messageId = this.mailer.send(recipient, mail, mailId(request));
			this.outbox.write(EmailEvents.causedBy("email.sent", request, "sent",
					sentPayload(payload, recipient, messageId), this.clock.instant()), null);
			this.meters.counter("eventhub.email.sent", "template_type", templateType).increment();
			log.debug("E-mail request {} sent as {}", request.eventId(), messageId);
		}
		catch (MailDeliveryException ex) {
			if (!ex.isPermanent()) {
				if (!CurrentAttempt.isLast()) {
					throw new RetryLaterException(
							"e-mail not sent (attempt " + CurrentAttempt.number() + "): " + ex.getMessage(), null, ex);
				}
				CurrentAttempt.peerFailed(ex);
			}
			failed(request, payload, recipient, ex);
		}
	}

	private void failed(Envelope request, JsonNode payload, String recipient, MailDeliveryException failure) {
		int retriesDone = payload.path("retryAttempts").asInt(0);
		int maxRetries = payload.path("maxRetries").asInt(this.retry.maxRetries());
		boolean willRetry = !failure.isPermanent() && retriesDone < maxRetries;
		Instant now = this.clock.instant();
		Instant nextRetryAt = willRetry ? now.plus(delayBefore(retriesDone + 1)) : null;
		Envelope failedEvent = EmailEvents.causedBy("email.failed", request, "failed",
				failedPayload(payload, recipient, failure.getMessage(), retriesDone + 1, maxRetries, nextRetryAt), now);
		this.meters
			.counter("eventhub.email.failed", "template_type", payload.path("templateType").asText(), "will_retry",
					String.valueOf(willRetry))
			.increment();
		log.warn("Sending e-mail request {} failed (try {}, will retry: {}): {}", request.eventId(), retriesDone + 1,
				willRetry, failure.getMessage());
		if (willRetry) {
			this.ownTransaction.executeWithoutResult(status -> {
				this.outbox.write(failedEvent, null);
				this.outbox.write(retryRequest(request, retriesDone + 1, now), nextRetryAt);
			});
			return;
		}
		// The request is dead-lettered: email.failed is written first.
		this.ownTransaction.executeWithoutResult(status -> this.outbox.write(failedEvent, null));
		throw new PermanentFailureException(failure.isPermanent() ? "e-mail refused: " + failure.getMessage()
				: "e-mail not sent after " + maxRetries + " retries: " + failure.getMessage(), failure);
	}

	private Duration delayBefore(int retry) {
		return Duration
			.ofMillis((long) (this.retry.initialDelay().toMillis() * Math.pow(this.retry.multiplier(), retry - 1)));
	}

	/**
	 * The first request of a mail: a retry request is caused by it (not by the retry
	 * before), so every send of one mail, retries included, has one Message-ID.
	 */
	static UUID mailId(Envelope request) {
		boolean retry = request.payload().path("retryAttempts").asInt(0) > 0 && request.causationId() != null;
		if (retry) {
			try {
				return UUID.fromString(request.causationId());
			}
			catch (IllegalArgumentException ex) {
				return request.eventId(); // a retry posted from outside, not written by
											// the hub
			}
		}
		return request.eventId();
	}

	private static Envelope retryRequest(Envelope request, int retryAttempts, Instant now) {
		ObjectNode payload = request.payload().deepCopy();
		payload.put("retryAttempts", retryAttempts);
		UUID first = mailId(request);
		Envelope retry = EmailEvents.causedBy("email.notification-requested", request, "retry", payload, now);
		return new Envelope(EmailEvents.derivedId(first, "retry-" + retryAttempts), retry.eventType(),
				retry.eventVersion(), retry.aggregateId(), retry.aggregateType(), retry.occurredAt(),
				retry.correlationId(), first.toString(), retry.metadata(), retry.payload());
	}

	private ObjectNode sentPayload(JsonNode request, String recipient, String messageId) {
		ObjectNode payload = EnvelopeJson.mapper().createObjectNode();
		payload.put("recipient", recipient);
		payload.put("templateType", request.path("templateType").asText());
		payload.put("orderNumber", request.path("data").path("orderNumber").asText());
		payload.put("sentAt", DateTimeFormatter.ISO_INSTANT.format(this.clock.instant()));
		payload.put("messageId", messageId);
		return payload;
	}

	private static ObjectNode failedPayload(JsonNode request, String recipient, String error, int retryAttempt,
			int maxRetries, Instant nextRetryAt) {
		ObjectNode payload = EnvelopeJson.mapper().createObjectNode();
		payload.put("recipient", recipient);
		payload.put("templateType", request.path("templateType").asText());
		payload.put("orderNumber", request.path("data").path("orderNumber").asText());
		// An SMTP server's answer can be long: the schema keeps 1,000 characters.
		payload.put("error", (error.length() <= 1000) ? error : error.substring(0, 997) + "...");
		payload.put("retryAttempt", retryAttempt);
		payload.put("maxRetries", maxRetries);
		payload.put("willRetry", nextRetryAt != null);
		if (nextRetryAt != null) {
			payload.put("nextRetryAt", DateTimeFormatter.ISO_INSTANT.format(nextRetryAt));
		}
		else {
			payload.putNull("nextRetryAt");
		}
		return payload;
	}

	/**
	 * One plain address, or the request is invalid: no line breaks (header injection), no
	 * lists, no display names.
	 */
	static String validRecipient(String recipient) {
		if (recipient.isEmpty() || recipient.chars().anyMatch(c -> c == '\r' || c == '\n' || c == ',' || c == ';')) {
			throw new PermanentFailureException("invalid recipient: must be a single e-mail address");
		}
		try {
			InternetAddress address = new InternetAddress(recipient, true);
			address.validate();
			if (!recipient.equals(address.getAddress())) {
				throw new PermanentFailureException("invalid recipient: must be a plain e-mail address");
			}
			return recipient;
		}
		catch (AddressException ex) {
			throw new PermanentFailureException("invalid recipient: " + ex.getMessage());
		}
	}

}
