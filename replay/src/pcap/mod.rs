//! Network payloads of a trace as a pcapng capture (`hindsight export-pcap`).
//!
//! This module owns the choice of events and the pcapng file; [`packet`] builds the frames.
//! A trace is replayed front to back through [`Replayer`], so each event's socket is the one
//! the replayed fd table holds: the exits of calls that read from or write to an fd
//! (`read`, `write`, `send*`, `recv*`, `readv`, `writev`...) on an IPv4 or IPv6 TCP or UDP
//! socket become one frame each, carrying the `data` parameter (as much of the transfer as
//! the capture kept, its snap length) between the socket's local and remote ends: writes go
//! local to remote, reads remote to local. Frames carry the event's timestamp and a comment
//! `proc.name pid container.id`.
//!
//! One interface per network namespace: traces do not record namespace ids, so a container
//! that does not share the host's network (`container.host_network`) is taken as its own
//! namespace, named `container:<id>` with its name and image in the description, and
//! everything else goes to the interface `host`. Interfaces are declared as their first frame
//! comes, as pcapng allows. TCP sequence numbers are kept per interface, since two
//! namespaces can hold the same addresses.

pub mod packet;

use std::borrow::Cow;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use hindsight_format::schema::{flags, Direction};
use hindsight_format::{DecodeError, TraceReader};
use pcap_file::pcapng::blocks::enhanced_packet::{EnhancedPacketBlock, EnhancedPacketOption};
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::DataLink;
use thiserror::Error;

use crate::engine::Replayer;
use crate::fields::ctx::Ctx;
use crate::fields::extract::extract_by_name;
use crate::fields::value::{Out, Val};
use packet::{Endpoint, Segment, Streams, MAX_PAYLOAD, PROTO_TCP, PROTO_UDP};

/// Why a trace could not be exported.
#[derive(Debug, Error)]
pub enum PcapExportError {
    /// The trace could not be read.
    #[error("{path}: {source}")]
    Decode {
        /// The trace.
        path: String,
        /// The cause.
        #[source]
        source: DecodeError,
    },
    /// The pcapng output could not be written.
    #[error("cannot write the pcapng output after {packets} packets (event {evt_num} of the trace); check the disk space and the output's permissions")]
    Write {
        /// Packets written before the failure.
        packets: u64,
        /// The event whose packet could not be written.
        evt_num: u64,
        /// The cause.
        #[source]
        source: pcap_file::PcapError,
    },
}

/// What an export produced.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    /// Events read.
    pub events: u64,
    /// Frames written, one per network transfer with captured bytes.
    pub packets: u64,
    /// Payload bytes written (what the capture kept).
    pub payload_bytes: u64,
    /// Bytes the processes transferred (the calls' return values).
    pub transferred_bytes: u64,
    /// TCP and UDP connections (distinct endpoint pairs) seen.
    pub connections: usize,
    /// Transfers longer than one frame can hold, cut to [`MAX_PAYLOAD`] bytes.
    pub cut: u64,
    /// Interfaces written: one per network namespace with traffic.
    pub interfaces: usize,
    /// Damage reported by the reader, as text.
    pub warnings: Vec<String>,
}

/// Exports the network payloads of the trace at `path` to `out` as pcapng.
///
/// # Errors
///
/// The trace cannot be opened or read, or `out` cannot be written.
pub fn export(path: &Path, out: impl Write) -> Result<ExportSummary, PcapExportError> {
    let trace = path.display().to_string();
    let decode = |source| PcapExportError::Decode {
        path: trace.clone(),
        source,
    };
    let write = |packets, evt_num| {
        move |source| PcapExportError::Write {
            packets,
            evt_num,
            source,
        }
    };
    let mut reader = TraceReader::open(path).map_err(decode)?;
    let mut writer = PcapNgWriter::new(out).map_err(write(0, 0))?;
    let mut rp = Replayer::from_header(reader.header());
    let mut exporter = Exporter::default();
    let mut sum = ExportSummary::default();
    let events = rp.replay_all(&mut reader, decode, |rp, ev| {
        let visible = rp.visible(ev);
        let ctx = rp.advance(ev);
        if !visible {
            return Ok(());
        }
        if let Some((new_interface, block)) = exporter.packet(&ctx, &mut sum, &trace) {
            if let Some(idb) = new_interface {
                writer
                    .write_pcapng_block(idb)
                    .map_err(write(sum.packets, ev.num))?;
            }
            writer
                .write_pcapng_block(block)
                .map_err(write(sum.packets, ev.num))?;
            sum.packets += 1;
        }
        Ok(())
    })?;
    sum.events = events;
    if exporter.interfaces.is_empty() {
        // No frame: one interface still, so that readers take the file for a capture.
        writer
            .write_pcapng_block(Exporter::interface_block("host", host_description(&trace)))
            .map_err(write(0, 0))?;
    }
    writer
        .get_mut()
        .flush()
        .map_err(|e| write(sum.packets, 0)(pcap_file::PcapError::IoError(e)))?;
    sum.connections = exporter.streams.connections() + exporter.udp_pairs.len();
    sum.interfaces = exporter.interfaces.len();
    sum.warnings = reader.warnings().iter().map(ToString::to_string).collect();
    Ok(sum)
}

/// The description of the host's interface.
fn host_description(trace: &str) -> String {
    format!("the host's network namespace, replayed from {trace}")
}

/// Per-export state: interfaces, TCP sequence numbers per interface, UDP endpoint pairs,
/// scratch buffers.
#[derive(Default)]
struct Exporter {
    /// Interface keys (`host`, `container:<id>`) in the order they were declared.
    interfaces: Vec<String>,
    /// TCP streams, one table per interface.
    streams: Streams,
    udp_pairs: std::collections::BTreeSet<(u32, Endpoint, Endpoint)>,
    out: Out,
    ip_id: u16,
}

impl Exporter {
    /// The frame for `ctx`'s event, when it is a network transfer with captured bytes.
    /// With it, the interface block to write first when the frame is the first of its
    /// network namespace.
    fn packet(
        &mut self,
        ctx: &Ctx<'_>,
        sum: &mut ExportSummary,
        trace: &str,
    ) -> Option<(
        Option<InterfaceDescriptionBlock<'static>>,
        EnhancedPacketBlock<'static>,
    )> {
        let ev = &ctx.p.ev;
        let info = ev.info()?;
        if ev.direction() != Direction::Exit {
            return None;
        }
        let outbound = if info.flags & flags::WRITES_TO_FD != 0 {
            true
        } else if info.flags & flags::READS_FROM_FD != 0 {
            false
        } else {
            return None;
        };
        let (_, fd) = ctx.fd()?;
        let v6 = match fd.ty {
            crate::state::FdType::Ipv4 => false,
            crate::state::FdType::Ipv6 => true,
            _ => return None,
        };
        let proto = match fd.addrs.l4proto {
            2 => PROTO_TCP,
            3 => PROTO_UDP,
            _ => return None,
        };
        let res = ctx.p.res().filter(|&r| r > 0)?;
        let data = ctx.p.bytes("data").filter(|d| !d.is_empty())?;
        let (local, remote) = self.ends(ctx)?;
        let (interface_id, new_interface) = self.interface(ctx, trace);
        let (src, dst) = if outbound {
            (local, remote)
        } else {
            (remote, local)
        };
        let transferred = (res as u64).max(data.len() as u64);
        let (seq, ack) = if proto == PROTO_TCP {
            self.streams.advance(interface_id, src, dst, transferred)
        } else {
            self.udp_pairs
                .insert((interface_id, src.min(dst), src.max(dst)));
            (0, 0)
        };
        if data.len() > MAX_PAYLOAD {
            sum.cut += 1;
        }
        self.ip_id = self.ip_id.wrapping_add(1);
        let mut frame = Vec::with_capacity(data.len().min(MAX_PAYLOAD) + 74);
        packet::build(
            &Segment {
                v6,
                proto,
                src,
                dst,
                outbound,
                seq,
                ack,
                ip_id: self.ip_id,
                payload: data,
            },
            &mut frame,
        );
        sum.payload_bytes += data.len().min(MAX_PAYLOAD) as u64;
        sum.transferred_bytes += res as u64;
        let comment = format!(
            "{} {} {}",
            self.text(ctx, "proc.name"),
            self.text(ctx, "proc.pid"),
            self.text(ctx, "container.id")
        );
        let block = EnhancedPacketBlock {
            interface_id,
            timestamp: Duration::from_nanos(ev.ts),
            original_len: frame.len() as u32,
            data: Cow::Owned(frame),
            options: vec![EnhancedPacketOption::Comment(Cow::Owned(comment))],
        };
        Some((new_interface, block))
    }

    /// The interface of the event's network namespace, and its description block when this
    /// is its first frame.
    fn interface(
        &mut self,
        ctx: &Ctx<'_>,
        trace: &str,
    ) -> (u32, Option<InterfaceDescriptionBlock<'static>>) {
        let id = self.text(ctx, "container.id");
        let own_netns = !matches!(id.as_str(), "host" | "" | "<NA>")
            && self.text(ctx, "container.host_network") != "true";
        let key = if own_netns {
            format!("container:{id}")
        } else {
            "host".to_owned()
        };
        if let Some(i) = self.interfaces.iter().position(|k| *k == key) {
            return (i as u32, None);
        }
        let description = if own_netns {
            format!(
                "network namespace of container {id} ({}, image {}), replayed from {trace}",
                self.text(ctx, "container.name"),
                self.text(ctx, "container.image")
            )
        } else {
            host_description(trace)
        };
        let idb = Self::interface_block(&key, description);
        self.interfaces.push(key);
        (self.interfaces.len() as u32 - 1, Some(idb))
    }

    /// An Ethernet interface named `name`, with nanosecond timestamps as the trace's.
    fn interface_block(name: &str, description: String) -> InterfaceDescriptionBlock<'static> {
        InterfaceDescriptionBlock {
            linktype: DataLink::ETHERNET,
            snaplen: packet::MAX_FRAME as u32,
            options: vec![
                InterfaceDescriptionOption::IfName(Cow::Owned(name.to_owned())),
                InterfaceDescriptionOption::IfDescription(Cow::Owned(description)),
                InterfaceDescriptionOption::IfTsResol(9),
            ],
        }
    }

    /// The socket's (local, remote) ends; (client, server) when the replayed state cannot
    /// tell which end is local.
    fn ends(&mut self, ctx: &Ctx<'_>) -> Option<(Endpoint, Endpoint)> {
        let local = self
            .endpoint(ctx, "fd.lip", "fd.lport")
            .zip(self.endpoint(ctx, "fd.rip", "fd.rport"));
        local.or_else(|| {
            self.endpoint(ctx, "fd.cip", "fd.cport")
                .zip(self.endpoint(ctx, "fd.sip", "fd.sport"))
        })
    }

    fn endpoint(&mut self, ctx: &Ctx<'_>, ip: &str, port: &str) -> Option<Endpoint> {
        if !extract_by_name(ip, ctx, &mut self.out) {
            return None;
        }
        let Some(Val::Ip(ip, _)) = self.out.vals.first().cloned() else {
            return None;
        };
        if !extract_by_name(port, ctx, &mut self.out) {
            return None;
        }
        let port = match self.out.vals.first() {
            Some(Val::U64(p)) => u16::try_from(*p).ok()?,
            Some(Val::I64(p)) => u16::try_from(*p).ok()?,
            _ => return None,
        };
        Some(Endpoint { ip, port })
    }

    /// A field's value as text, `<NA>` when it has none.
    fn text(&mut self, ctx: &Ctx<'_>, name: &str) -> String {
        if !extract_by_name(name, ctx, &mut self.out) || self.out.is_empty() {
            return "<NA>".into();
        }
        let mut b = Vec::new();
        self.out.render_all(b" ", &mut b);
        String::from_utf8_lossy(&b).into_owned()
    }
}
