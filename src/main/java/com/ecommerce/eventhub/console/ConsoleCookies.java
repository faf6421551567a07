package com.ecommerce.eventhub.console;

import java.time.Duration;

import com.ecommerce.eventhub.config.ConsoleProperties;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.stereotype.Component;

/**
 * The console's two cookies, both HttpOnly (no script reads them), SameSite=Strict (no
 * other site's page sends them), {@code Secure} per {@code hub.console.secure-cookie},
 * and scoped to the console's path: the session ({@value #SESSION}, a random token, never
 * the API key) and, before sign-in, the sign-in form's CSRF token ({@value #SIGN_IN}).
 */
@Component
class ConsoleCookies {

	static final String SESSION = "hub_console";

	static final String SIGN_IN = "hub_console_signin";

	static final String PATH = "/console";

	/** How long a sign-in form may stay open before it must be loaded again. */
	static final Duration SIGN_IN_FORM_LIFETIME = Duration.ofMinutes(10);

	private final ConsoleProperties console;

	ConsoleCookies(ConsoleProperties console) {
		this.console = console;
	}

	/**
	 * @param request a request
	 * @param name a cookie's name
	 * @return its value, or null (the first one, if a client sent several)
	 */
	static String read(HttpServletRequest request, String name) {
		Cookie[] cookies = request.getCookies();
		if (cookies == null) {
			return null;
		}
		for (Cookie cookie : cookies) {
			if (name.equals(cookie.getName())) {
				return cookie.getValue();
			}
		}
		return null;
	}

	/**
	 * Sets the session cookie. It has no Max-Age: the browser forgets it when it closes,
	 * and the server ends it sooner when idle.
	 */
	void session(HttpServletRequest request, HttpServletResponse response, String token) {
		add(response, cookie(request, SESSION, token).build());
	}

	void signIn(HttpServletRequest request, HttpServletResponse response, String token) {
		add(response, cookie(request, SIGN_IN, token).maxAge(SIGN_IN_FORM_LIFETIME).build());
	}

	void clear(HttpServletRequest request, HttpServletResponse response, String name) {
		add(response, cookie(request, name, "").maxAge(Duration.ZERO).build());
	}

	private ResponseCookie.ResponseCookieBuilder cookie(HttpServletRequest request, String name, String value) {
		return ResponseCookie.from(name, value).path(PATH).httpOnly(true).sameSite("Strict").secure(secure(request));
	}

	private boolean secure(HttpServletRequest request) {
		return switch (this.console.secureCookie()) {
			case ALWAYS -> true;
			case NEVER -> false;
			case AUTO -> request.isSecure();
		};
	}

	private static void add(HttpServletResponse response, ResponseCookie cookie) {
		response.addHeader(HttpHeaders.SET_COOKIE, cookie.toString());
	}

}
