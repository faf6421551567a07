package com.ecommerce.eventhub.routes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import com.ecommerce.eventhub.support.HubHttp;
import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The routes folder as operators deploy it: a Kubernetes ConfigMap's links into
 * {@code ..data/} are loaded and follow its atomic updates; a link out of the folder, a
 * directory, an oversized file, a file declaring {@code beans:} or
 * {@code routeConfiguration:} and one nested too deep are refused with the reason; a
 * missing folder is reported while the Java routes run on.
 */
@HubIntegrationTest(properties = { "hub.relay.enabled=true", "hub.routes.poll-interval=300ms",
		"hub.notifications.enabled=false", "hub.security.api-keys[0].name=operator",
		"hub.security.api-keys[0].key=" + RouteFolderIT.ADMIN_KEY, "hub.security.api-keys[0].admin=true" })
class RouteFolderIT {

	static final String ADMIN_KEY = "route-folder-admin-key-0123";

	static final TestTopology topology = TestTopology.of(RouteFolderIT.class);

	@LocalServerPort
	int port;

	@Autowired
	CamelContext camel;

	@Test
	void aConfigMapVolumeIsLoadedAndFollowedAndEveryRefusalIsReported(@TempDir Path elsewhere) throws Exception {
		Path folder = topology.routesDirectory();
		// The layout kubelet writes: files are links into ..data, itself a link to a
		// timestamped directory.
		Path first = Files.createDirectory(folder.resolve("..2026_11_29_first"));
		Files.writeString(first.resolve("configmap.yaml"), logRoute("configmap-route", "one"));
		Files.createSymbolicLink(folder.resolve("..data"), Path.of("..2026_11_29_first"));
		Files.createSymbolicLink(folder.resolve("configmap.yaml"), Path.of("..data/configmap.yaml"));

		Files.writeString(elsewhere.resolve("outside.yaml"), logRoute("outside-route", "x"));
		Files.createSymbolicLink(folder.resolve("outside.yaml"), elsewhere.resolve("outside.yaml"));
		Files.createDirectory(folder.resolve("directory.yaml"));
		Files.writeString(folder.resolve("large.yaml"),
				"# " + "x".repeat(300_000) + "\n" + logRoute("large-route", "x"));
		Files.writeString(folder.resolve("beans.yaml"), """
				- beans:
				    - name: myBean
				      type: java.lang.StringBuilder
				""" + logRoute("beans-route", "x"));
		Files.writeString(folder.resolve("configuration.yaml"), """
				- routeConfiguration:
				    id: everything
				    onException:
				      - onException:
				          exception: [ "java.lang.Exception" ]
				          handled:
				            constant: true
				""");

		await().atMost(Duration.ofSeconds(15)).until(() -> this.camel.getRoute("configmap-route") != null);
		await().atMost(Duration.ofSeconds(15)).until(() -> reasonOf("configuration.yaml") != null);
		assertThat(reasonOf("outside.yaml")).contains("outside the routes folder");
		assertThat(reasonOf("directory.yaml")).contains("not a regular file");
		assertThat(reasonOf("large.yaml")).contains("hub.routes.max-file-size");
		assertThat(reasonOf("beans.yaml")).contains("'beans' is not allowed", "hub.routes.allow-beans");
		assertThat(reasonOf("configuration.yaml")).contains("'routeConfiguration' is not allowed");
		assertThat(this.camel.getRegistry().lookupByName("myBean")).as("no bean was created").isNull();
		for (String refused : new String[] { "outside-route", "large-route", "beans-route" }) {
			assertThat(this.camel.getRoute(refused)).as(refused).isNull();
		}

		// kubelet's atomic update: a new timestamped directory, then ..data swapped to
		// it.
		Path second = Files.createDirectory(folder.resolve("..2026_11_29_second"));
		Files.writeString(second.resolve("configmap.yaml"), logRoute("configmap-route-v2", "two"));
		Path swap = Files.createSymbolicLink(folder.resolve("..data_tmp"), Path.of("..2026_11_29_second"));
		Files.move(swap, folder.resolve("..data"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		await().atMost(Duration.ofSeconds(15))
			.until(() -> this.camel.getRoute("configmap-route-v2") != null
					&& this.camel.getRoute("configmap-route") == null);

		// The folder disappears: reported, the Java routes run on; it comes back: loaded
		// again.
		Path moved = folder.resolveSibling(folder.getFileName() + "-moved");
		Files.move(folder, moved);
		await().atMost(Duration.ofSeconds(15)).until(() -> !folderOf().get("readable").asBoolean());
		assertThat(folderOf().get("problem").asText()).contains("does not exist");
		assertThat(this.camel.getRouteController().getRouteStatus("outbox-relay-0")).isEqualTo(ServiceStatus.Started);
		Files.move(moved, folder);
		await().atMost(Duration.ofSeconds(15))
			.until(() -> folderOf().get("readable").asBoolean() && this.camel.getRoute("configmap-route-v2") != null);
	}

	@Test
	void aFileNestedTooDeepIsRefusedAndTheWatcherGoesOn() throws Exception {
		Path folder = topology.routesDirectory();
		// 240 KB, under the size limit: it overflowed the parser's stack and ended the
		// watcher's thread, so no later change was applied until a restart.
		Files.writeString(folder.resolve("deep.yaml"), "[".repeat(120_000) + "]".repeat(120_000) + "\n");
		await().atMost(Duration.ofSeconds(15)).until(() -> reasonOf("deep.yaml") != null);
		assertThat(reasonOf("deep.yaml")).contains("nested");

		Files.writeString(folder.resolve("after-deep.yaml"), logRoute("after-deep-route", "still watched"));
		await().atMost(Duration.ofSeconds(15)).until(() -> this.camel.getRoute("after-deep-route") != null);
		Files.delete(folder.resolve("after-deep.yaml"));
		Files.delete(folder.resolve("deep.yaml"));
		await().atMost(Duration.ofSeconds(15)).until(() -> this.camel.getRoute("after-deep-route") == null);
	}

	private JsonNode listing() throws Exception {
		return HubHttp.json(new HubHttp(this.port).get("/api/v1/routes", ADMIN_KEY));
	}

	private JsonNode folderOf() throws Exception {
		return listing().get("folder");
	}

	private String reasonOf(String file) throws Exception {
		for (JsonNode result : listing().get("files")) {
			if (file.equals(result.get("file").asText()) && "REJECTED".equals(result.get("status").asText())) {
				return result.get("reason").asText();
			}
		}
		return null;
	}

	private static String logRoute(String id, String message) {
		return """
				- route:
				    id: %s
				    from:
				      uri: timer:%s
				      parameters:
				        period: 60000
				      steps:
				        - log: "%s"
				""".formatted(id, id, message);
	}

}
