package com.ecommerce.eventhub.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

import com.ecommerce.eventhub.config.SecurityProperties;
import com.ecommerce.eventhub.config.SecurityProperties.ApiKey;

import org.springframework.stereotype.Component;

/**
 * The configured API keys and the one way to check a presented key: used by the API's
 * authentication ({@link ApiKeyAuthenticationFilter}) and by the console's sign-in.
 */
@Component
public class ApiKeys {

	private final SecurityProperties security;

	public ApiKeys(SecurityProperties security) {
		this.security = security;
	}

	/**
	 * Finds the caller of a presented key. Every configured key is compared, in constant
	 * time, so the answer time says nothing about how close a guess was or which key
	 * matched.
	 * @param presented the key the request carried, or null
	 * @return the caller, empty when the key is unknown
	 */
	public Optional<ApiKey> authenticate(String presented) {
		if (presented == null || presented.isEmpty()) {
			return Optional.empty();
		}
		byte[] presentedBytes = presented.getBytes(StandardCharsets.UTF_8);
		ApiKey match = null;
		for (ApiKey candidate : this.security.apiKeys()) {
			if (MessageDigest.isEqual(presentedBytes, candidate.key().getBytes(StandardCharsets.UTF_8))) {
				match = candidate;
			}
		}
		return Optional.ofNullable(match);
	}

	/**
	 * The configured caller of a name, as it is configured now: a console session lives
	 * only as long as its key is still configured and admin.
	 * @param name a key's name
	 * @return the caller, empty when no key has that name any more
	 */
	public Optional<ApiKey> named(String name) {
		return this.security.apiKeys().stream().filter(key -> key.name().equals(name)).findFirst();
	}

}
