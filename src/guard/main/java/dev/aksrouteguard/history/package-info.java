/**
 * The repair history in Azure Table storage ({@link dev.aksrouteguard.history.TableRepairHistory}): every strip of a
 * guarded subnet, bounded per subnet, shared by every instance and process that uses the same storage account, so
 * that a subnet an IaC pipeline keeps stripping escalates. An adapter of {@link dev.aksrouteguard.core.port.RepairHistory}.
 * Everything is non-null unless annotated {@link dev.aksrouteguard.core.model.Nullable}.
 */
package dev.aksrouteguard.history;
