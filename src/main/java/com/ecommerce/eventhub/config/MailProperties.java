package com.ecommerce.eventhub.config;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.PositiveOrZero;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * E-mail sending ({@code hub.mail.*}).
 *
 * @param host SMTP server
 * @param port SMTP port
 * @param username SMTP user, empty for none
 * @param password SMTP password
 * @param from the sender address
 * @param startTls upgrade the connection with STARTTLS (required when true)
 * @param ssl connect with implicit TLS ({@code smtps}, usually port 465)
 * @param connectionTimeout connect and read timeout of one SMTP conversation
 * @param queue the e-mail route's own queue
 * @param retry the durable retry schedule of failed sends
 */
@Validated
@ConfigurationProperties("hub.mail")
public record MailProperties(@DefaultValue("localhost") @NotBlank String host, @DefaultValue("1025") int port,
		@DefaultValue("") String username, @DefaultValue("") String password,
		@DefaultValue("no-reply@example.com") @Email @NotBlank String from, @DefaultValue("false") boolean startTls,
		@DefaultValue("false") boolean ssl, @DefaultValue("10s") Duration connectionTimeout,
		@DefaultValue("hub.email") @NotBlank String queue, @DefaultValue @Valid Retry retry) {

	/**
	 * Retries of a failed send go through the outbox ({@code available_at}), so they
	 * survive restarts.
	 *
	 * @param maxRetries retries after the first try (the request's {@code maxRetries})
	 * @param initialDelay wait before the first retry
	 * @param multiplier growth of the wait per retry
	 */
	public record Retry(@DefaultValue("3") @PositiveOrZero int maxRetries, @DefaultValue("5m") Duration initialDelay,
			@DefaultValue("2") @DecimalMin("1.0") double multiplier) {
	}

}
