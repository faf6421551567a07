package com.ecommerce.eventhub.console;

import java.time.Duration;

import com.ecommerce.eventhub.config.ConsoleProperties;
import com.ecommerce.eventhub.config.ConsoleProperties.SecureCookie;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The session cookie: HttpOnly, SameSite=Strict, the console's path, no Max-Age, and
 * Secure exactly when {@code hub.console.secure-cookie} says so.
 */
class ConsoleCookiesTest {

	@Test
	void secureFollowsTheRequestInAutoMode() {
		assertThat(sessionCookie(SecureCookie.AUTO, true)).contains("Secure");
		assertThat(sessionCookie(SecureCookie.AUTO, false)).doesNotContain("Secure");
		assertThat(sessionCookie(SecureCookie.ALWAYS, false)).contains("Secure");
		assertThat(sessionCookie(SecureCookie.NEVER, true)).doesNotContain("Secure");
	}

	@Test
	void theSessionCookieIsHttpOnlyStrictAndEndsWithTheBrowser() {
		String cookie = sessionCookie(SecureCookie.AUTO, true);
		assertThat(cookie).startsWith("hub_console=token;")
			.contains("Path=/console", "HttpOnly", "SameSite=Strict")
			.doesNotContain("Max-Age", "Expires");
	}

	private static String sessionCookie(SecureCookie secure, boolean https) {
		ConsoleCookies cookies = new ConsoleCookies(new ConsoleProperties(Duration.ofMinutes(15), Duration.ofHours(8),
				secure, 10, Duration.ofMinutes(5), DataSize.ofKilobytes(64)));
		MockHttpServletRequest request = new MockHttpServletRequest("POST", "/console/sign-in");
		request.setSecure(https);
		MockHttpServletResponse response = new MockHttpServletResponse();
		cookies.session(request, response, "token");
		return response.getHeader("Set-Cookie");
	}

}
