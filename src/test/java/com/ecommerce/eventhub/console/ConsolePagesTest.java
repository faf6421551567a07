package com.ecommerce.eventhub.console;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every template compiles, and whatever a dead letter or an event carries is shown as
 * text: escaped in text and attributes, never markup.
 */
class ConsolePagesTest {

	private final ConsolePages pages = new ConsolePages();

	private final ConsoleSession session = new ConsoleSession("ops<b>", "token\"><x");

	@Test
	void valuesAreEscapedInTextAndAttributes() {
		String hostile = "\"><script>alert(1)</script><img src=x onerror=alert(2)>";
		ResponseEntity<String> page = this.pages.page(200, "error", "Title <i>", this.session,
				Map.of("message", hostile, "back", "/console\" onclick=\"x"));
		String html = page.getBody();
		assertThat(html).doesNotContain("<script>alert", "<img src=x", "<b>", "\"><x", "<i>", "\" onclick=\"");
		assertThat(html).contains("&lt;script&gt;", "ops&lt;b&gt;", "token&quot;&gt;&lt;x");
		assertThat(page.getHeaders().getContentType().toString()).isEqualTo("text/html;charset=UTF-8");
	}

	@Test
	void theLayoutHasNoScriptAndOnlyTheHubsStylesheet() {
		String html = this.pages
			.page(200, "confirm", "Confirm", this.session,
					Map.of("question", "Replay 2 dead letters?", "fields", List.of(Map.of("name", "op", "value", "v"))))
			.getBody();
		assertThat(html).doesNotContain("<script", "style=", "http://", "https://");
		assertThat(html).contains("<link rel=\"stylesheet\" href=\"/console/assets/console.css\">");
		assertThat(html).contains("name=\"_csrf\" value=\"token&quot;&gt;&lt;x\"");
	}

	@Test
	void theSignInPageHasAPasswordFieldAndNoNavigation() {
		String html = this.pages.signIn(200, Map.of("csrf", "t")).getBody();
		assertThat(html).contains("type=\"password\"", "name=\"_csrf\" value=\"t\"").doesNotContain("<nav>");
	}

}
