package com.ecommerce.eventhub.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

import com.ecommerce.eventhub.config.ConsoleProperties;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The one owner of {@code console_session}: sessions live in PostgreSQL, so every hub
 * instance behind a load balancer knows them, a sign-out ends them everywhere, and a
 * restart keeps them. The cookie carries 256 random bits; only their SHA-256 is stored. A
 * session ends after {@code hub.console.session-idle-timeout} without a request, and
 * {@code hub.console.session-max-age} after its sign-in in any case.
 */
@Repository
class ConsoleSessions {

	private static final String CREATE = """
			INSERT INTO console_session (token_hash, key_name, csrf_token) VALUES (?, ?, ?)""";

	// Looking a session up is using it: its idle time starts again.
	private static final String TOUCH = """
			UPDATE console_session SET last_seen_at = now()
			WHERE token_hash = ? AND last_seen_at > now() - make_interval(secs => ?)
			  AND created_at > now() - make_interval(secs => ?)
			RETURNING key_name, csrf_token""";

	private static final String END = "DELETE FROM console_session WHERE token_hash = ?";

	private static final String PURGE = """
			DELETE FROM console_session
			WHERE last_seen_at <= now() - make_interval(secs => ?) OR created_at <= now() - make_interval(secs => ?)""";

	private final SecureRandom random = new SecureRandom();

	private final JdbcTemplate jdbc;

	private final double idleSeconds;

	private final double maxAgeSeconds;

	ConsoleSessions(JdbcTemplate jdbc, ConsoleProperties console) {
		this.jdbc = jdbc;
		this.idleSeconds = console.sessionIdleTimeout().toMillis() / 1000.0;
		this.maxAgeSeconds = console.sessionMaxAge().toMillis() / 1000.0;
	}

	/**
	 * Starts a session (and removes the ones that are over).
	 * @param keyName the admin key's name
	 * @return the cookie value of the new session
	 */
	String create(String keyName) {
		this.jdbc.update(PURGE, this.idleSeconds, this.maxAgeSeconds);
		String token = randomToken();
		this.jdbc.update(CREATE, hash(token), keyName, randomToken());
		return token;
	}

	/**
	 * @param token a cookie value
	 * @return its session when it is still on (its idle time starts again), else empty
	 */
	Optional<ConsoleSession> resolve(String token) {
		if (token == null || token.length() != 43) {
			return Optional.empty();
		}
		return this.jdbc
			.query(TOUCH, (rs, row) -> new ConsoleSession(rs.getString("key_name"), rs.getString("csrf_token")),
					hash(token), this.idleSeconds, this.maxAgeSeconds)
			.stream()
			.findFirst();
	}

	/**
	 * Ends a session (sign-out).
	 * @param token its cookie value
	 */
	void end(String token) {
		if (token != null) {
			this.jdbc.update(END, (Object) hash(token));
		}
	}

	/**
	 * @return 256 random bits, base64url without padding (43 characters)
	 */
	String randomToken() {
		byte[] bytes = new byte[32];
		this.random.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	private static byte[] hash(String token) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
