package com.ecommerce.eventhub.topology;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.ecommerce.eventhub.config.TopologyProperties;
import com.ecommerce.eventhub.envelope.EventSchemas;
import com.ecommerce.eventhub.topology.AsyncApiDocument.ConsumerQueue;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;

import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Serves {@link AsyncApiDocument} at {@code GET /asyncapi.yaml}, without an API key like
 * {@code /openapi.yaml}. It is a Spring MVC endpoint, not a Camel REST route, because
 * {@code openapi.yaml} describes exactly the Camel REST API.
 *
 * <p>
 * The document is rendered once and kept; it is rendered again only when the consumer
 * routes' queues change (a YAML route added, edited or removed), which are read from the
 * route definitions of the {@code hub-consumer} template on each request, as
 * {@code consumers.ConsumerRoutes} reads them.
 */
@RestController
class AsyncApiEndpoint {

	private final AsyncApiDocument document;

	private final CamelContext camel;

	private final TopologyProperties topology;

	private final YAMLMapper yaml = YAMLMapper.builder()
		.disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
		.enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
		.enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
		.disable(YAMLGenerator.Feature.SPLIT_LINES)
		.build();

	private volatile Rendered rendered;

	/**
	 * Reads the schema files and the declared topology: what Spring AMQP's RabbitAdmin
	 * declares, the {@link Declarables} and single {@link Declarable} beans.
	 */
	AsyncApiEndpoint(TopologyProperties topology, EventSchemas schemas, ObjectProvider<Declarables> collections,
			ObjectProvider<Declarable> singles, CamelContext camel) {
		List<Declarable> declarables = new ArrayList<>();
		collections.orderedStream().forEach(collection -> declarables.addAll(collection.getDeclarables()));
		singles.orderedStream().forEach(declarables::add);
		this.document = new AsyncApiDocument(topology, schemas, declarables);
		this.camel = camel;
		this.topology = topology;
	}

	@GetMapping("/asyncapi.yaml")
	ResponseEntity<byte[]> asyncApi() throws IOException {
		List<ConsumerQueue> consumers = consumerQueues();
		Rendered current = this.rendered;
		if (current == null || !current.consumers().equals(consumers)) {
			current = new Rendered(consumers, this.yaml.writeValueAsBytes(this.document.build(consumers)));
			this.rendered = current;
		}
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_YAML).body(current.yaml());
	}

	/** The queues of the consumer routes that exist now, by route id. */
	private List<ConsumerQueue> consumerQueues() {
		Model model = this.camel.getCamelContextExtension().getContextPlugin(Model.class);
		List<ConsumerQueue> consumers = new ArrayList<>();
		for (Route route : this.camel.getRoutes()) {
			RouteDefinition definition = model.getRouteDefinition(route.getRouteId());
			Map<String, Object> parameters = (definition != null) ? definition.getTemplateParameters() : null;
			if (parameters != null && parameters.get("queue") != null) {
				String bindings = Objects.toString(parameters.get("bindings"), "");
				boolean ordered = Boolean.parseBoolean(Objects.toString(parameters.get("ordered"), "false"));
				int partitions = ordered ? AggregatePartitions.effective(this.topology,
						Integer.parseInt(Objects.toString(parameters.get("partitions"), "4"))) : 0;
				consumers.add(new ConsumerQueue(route.getRouteId(), parameters.get("queue").toString(),
						Arrays.stream(bindings.split(","))
							.map(String::trim)
							.filter(pattern -> !pattern.isEmpty())
							.distinct()
							.toList(),
						partitions));
			}
		}
		consumers.sort(Comparator.comparing(ConsumerQueue::routeId));
		return consumers;
	}

	/** The document as served, and the consumer queues it was rendered for. */
	private record Rendered(List<ConsumerQueue> consumers, byte[] yaml) {
	}

}
