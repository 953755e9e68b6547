/**
 * Layers as data: registries keyed by Keras class name that rebuild every layer, initializer, regularizer,
 * activation, optimizer, schedule, loss and metric from its config record, and codecs between those records
 * and Keras 3's {@code module / class_name / config} JSON. The maps are explicit: no reflection, and no
 * class is looked up by a name read from a file.
 */
package dev.myelin.config;
