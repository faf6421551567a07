package com.ecommerce.eventhub.config;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Operator-editable YAML routes ({@code hub.routes.*}).
 *
 * @param directory the folder of {@code *.yaml} route files, loaded at start-up and
 * watched
 * @param pollInterval how often the folder is checked for added, changed and deleted
 * files
 * @param enabled whether route files are loaded at all
 * @param allowBeans whether route files may declare {@code beans:} and
 * {@code routeConfiguration:} (objects created in the hub's registry and error handling
 * for every route); off by default
 * @param maxFileSize the largest route file read; a larger one is refused
 */
@Validated
@ConfigurationProperties("hub.routes")
public record RoutesProperties(@DefaultValue("routes") Path directory, @DefaultValue("2s") Duration pollInterval,
		@DefaultValue("true") boolean enabled, @DefaultValue("false") boolean allowBeans,
		@DefaultValue("256KB") DataSize maxFileSize) {
}
