package com.ecommerce.eventhub.email;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;

import com.ecommerce.eventhub.config.ConsumerProperties;
import com.ecommerce.eventhub.config.MailProperties;
import com.ecommerce.eventhub.tracing.EventTracing;
import io.micrometer.tracing.Span;
import jakarta.annotation.PreDestroy;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.AddressException;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.endpoint.StaticEndpointBuilders;
import org.apache.camel.builder.endpoint.dsl.MailEndpointBuilderFactory.MailEndpointBuilder;
import org.apache.camel.component.mail.MailConstants;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.util.MailStreamProvider;

import org.springframework.stereotype.Component;

/**
 * Sends a rendered mail over SMTP with camel-mail ({@code hub.mail.*}). The exchange it
 * sends is new and carries only the validated headers it sets: camel-mail turns every
 * header into a mail header, and To/Cc/Bcc headers would override the endpoint.
 */
@Component
class SmtpMailer {

	private final ProducerTemplate producer;

	private final Endpoint endpoint;

	private final String from;

	private final String messageIdDomain;

	private final EventTracing tracing;

	private final ReusedSmtpConnections connections;

	/**
	 * The system property that names JavaMail's stream provider. Unset, jakarta.mail-api
	 * 2.1 finds it with a ServiceLoader, which reads every jar's service files, on every
	 * encoded header and body part (jakartaee/mail-api#861): a fifth of the e-mail
	 * route's CPU.
	 */
	static final String STREAM_PROVIDER = "jakarta.mail.util.StreamProvider";

	SmtpMailer(CamelContext camel, MailProperties mail, ConsumerProperties consumers, EventTracing tracing) {
		if (System.getProperty(STREAM_PROVIDER) == null) {
			System.setProperty(STREAM_PROVIDER, MailStreamProvider.class.getName());
		}
		this.tracing = tracing;
		this.producer = camel.createProducerTemplate();
		String address = mail.host() + ":" + mail.port();
		MailEndpointBuilder builder = mail.ssl() ? StaticEndpointBuilders.smtps(address)
				: StaticEndpointBuilders.smtp(address);
		if (!mail.username().isEmpty()) {
			builder.username(mail.username()).password(mail.password());
		}
		// The sender holds the connection settings (server, TLS, timeouts) and keeps
		// connections open between mails.
		this.connections = new ReusedSmtpConnections(mail, consumers.concurrency());
		builder.advanced().contentType("text/html; charset=UTF-8").javaMailSender(this.connections);
		this.endpoint = builder.resolve(camel);
		this.from = mail.from();
		int at = this.from.lastIndexOf('@');
		String domain = (at >= 0) ? this.from.substring(at + 1).replaceAll("[^A-Za-z0-9.-]", "") : "";
		this.messageIdDomain = domain.isEmpty() ? "event-hub.invalid" : domain;
	}

	@PreDestroy
	void closeConnections() {
		this.connections.close();
	}

	/** SMTP connections opened so far. */
	long connectionsOpened() {
		return this.connections.opened();
	}

	/**
	 * @param mailId the request's eventId
	 * @return {@code <eventId@domain of the sender>}: the same for every send of one
	 * request
	 */
	String messageId(UUID mailId) {
		return "<" + mailId + "@" + this.messageIdDomain + ">";
	}

	/**
	 * Sends the mail and returns the Message-ID the sent message carries (read after
	 * sending, as the server got it).
	 * @param recipient one validated address
	 * @param mail the rendered mail
	 * @param mailId what the mail's Message-ID derives from: its request's eventId
	 * @return the Message-ID header of the sent mail
	 * @throws MailDeliveryException when the send failed
	 */
	String send(String recipient, RenderedMail mail, UUID mailId) throws MailDeliveryException {
		Span span = this.tracing.start("smtp send", Span.Kind.CLIENT, null, null);
		try {
			Exchange result = this.producer.send(this.endpoint, exchange -> {
				exchange.getMessage().setHeader("To", recipient);
				exchange.getMessage().setHeader("From", this.from);
				exchange.getMessage().setHeader("Subject", mail.subject());
				// Kept by the sender through saveChanges(): a repeated send of the
				// same request is recognisably the same mail.
				exchange.getMessage().setHeader("Message-ID", messageId(mailId));
				exchange.getMessage().setHeader(MailConstants.MAIL_ALTERNATIVE_BODY, mail.text());
				exchange.getMessage().setBody(mail.html());
			});
			if (result.getException() != null) {
				MailDeliveryException failure = classify(result.getException());
				span.error(failure);
				throw failure;
			}
			return result.getMessage().getHeader(MailConstants.MAIL_MESSAGE_ID, String.class);
		}
		finally {
			span.end();
		}
	}

	/**
	 * A 5xx answer or a refused address will not change on a retry; anything else may.
	 */
	static MailDeliveryException classify(Exception failure) {
		List<Throwable> chain = chain(failure);
		for (Throwable cause : chain) {
			int code = -1;
			if (cause instanceof SMTPAddressFailedException address) {
				code = address.getReturnCode();
			}
			else if (cause instanceof SMTPSendFailedException send) {
				code = send.getReturnCode();
			}
			if (code >= 400) {
				return new MailDeliveryException(Addresses.mask("SMTP " + code + ": " + cause.getMessage().trim()),
						code >= 500, failure);
			}
		}
		for (Throwable cause : chain) {
			if (cause instanceof AddressException || (cause instanceof SendFailedException sendFailed
					&& sendFailed.getInvalidAddresses() != null && sendFailed.getInvalidAddresses().length > 0)) {
				return new MailDeliveryException(Addresses.mask("invalid address: " + cause.getMessage()), true,
						failure);
			}
		}
		Throwable root = chain.get(chain.size() - 1);
		return new MailDeliveryException(Addresses.mask("SMTP unavailable: " + root.getClass().getSimpleName()
				+ ((root.getMessage() != null) ? ": " + root.getMessage() : "")), false, failure);
	}

	/**
	 * The causes of a failure, following JavaMail's {@code getNextException()} links too.
	 */
	private static List<Throwable> chain(Throwable failure) {
		List<Throwable> chain = new ArrayList<>();
		Deque<Throwable> pending = new ArrayDeque<>(List.of(failure));
		while (!pending.isEmpty() && chain.size() < 20) {
			Throwable next = pending.poll();
			if (next == null || chain.contains(next)) {
				continue;
			}
			chain.add(next);
			if (next.getCause() != null) {
				pending.add(next.getCause());
			}
			if (next instanceof MessagingException messaging && messaging.getNextException() != null) {
				pending.add(messaging.getNextException());
			}
		}
		return chain;
	}

}
