//! What `serve` tells the person at the keyboard about where to look: the network addresses a
//! phone can open when the server listens on every interface, and the browser `--open` starts.
//! Only prints and spawns; a failure here never stops the server.

use std::net::IpAddr;

/// The addresses other devices can reach a server bound to `bind` on: with `0.0.0.0` (or `::`)
/// every non-loopback address of this machine's interfaces (IPv4 only for `0.0.0.0`), sorted;
/// otherwise none besides `bind` itself, which is printed already.
pub(crate) fn lan_addresses(bind: IpAddr) -> Vec<IpAddr> {
    if !bind.is_unspecified() {
        return Vec::new();
    }
    let mut found: Vec<IpAddr> = interface_addresses()
        .into_iter()
        .filter(|ip| !ip.is_loopback() && !ip.is_unspecified())
        .filter(|ip| match ip {
            IpAddr::V4(_) => true,
            // Link-local IPv6 addresses need a zone to be usable in a URL.
            IpAddr::V6(v6) => bind.is_ipv6() && (v6.segments()[0] & 0xffc0) != 0xfe80,
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

/// `http://host:port/` with IPv6 hosts in brackets.
pub(crate) fn url_of(ip: IpAddr, port: u16) -> String {
    match ip {
        IpAddr::V6(v6) => format!("http://[{v6}]:{port}/"),
        IpAddr::V4(v4) => format!("http://{v4}:{port}/"),
    }
}

#[cfg(unix)]
fn interface_addresses() -> Vec<IpAddr> {
    let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `list` with a linked list we only read and then free once.
    if unsafe { libc::getifaddrs(&mut list) } != 0 {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut next = list;
    while !next.is_null() {
        // SAFETY: `next` is a node of the list getifaddrs returned, not yet freed.
        let entry = unsafe { &*next };
        if !entry.ifa_addr.is_null() {
            // SAFETY: `ifa_addr` points to a sockaddr whose family says which struct it is.
            let family = i32::from(unsafe { (*entry.ifa_addr).sa_family });
            if family == libc::AF_INET {
                // SAFETY: an AF_INET address is a sockaddr_in.
                let addr = unsafe { &*(entry.ifa_addr as *const libc::sockaddr_in) };
                found.push(IpAddr::from(
                    u32::from_be(addr.sin_addr.s_addr).to_be_bytes(),
                ));
            } else if family == libc::AF_INET6 {
                // SAFETY: an AF_INET6 address is a sockaddr_in6.
                let addr = unsafe { &*(entry.ifa_addr as *const libc::sockaddr_in6) };
                found.push(IpAddr::from(addr.sin6_addr.s6_addr));
            }
        }
        next = entry.ifa_next;
    }
    // SAFETY: `list` came from getifaddrs and is freed once, after the last read.
    unsafe { libc::freeifaddrs(list) };
    found
}

#[cfg(not(unix))]
fn interface_addresses() -> Vec<IpAddr> {
    Vec::new()
}

/// Starts the desktop's browser on `url` (`xdg-open`, `open` on macOS, `start` on Windows)
/// without waiting for it. A failure is a warning on stderr: the URL is printed anyway.
pub(crate) fn open_browser(url: &str) {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    let opener = format!("{:?}", command.get_program());
    let started = command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match started {
        // Reaped in the background so it leaves no zombie behind.
        Ok(mut child) => {
            std::thread::spawn(move || {
                if let Ok(status) = child.wait() {
                    if !status.success() {
                        eprintln!(
                            "warning: {opener} could not open a browser ({status}); open the URL above yourself"
                        );
                    }
                }
            });
        }
        Err(error) => eprintln!(
            "warning: cannot start {opener} to open a browser ({error}); open the URL above yourself"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_unspecified_bind_lists_addresses_and_never_loopback() {
        assert!(lan_addresses(IpAddr::from([127, 0, 0, 1])).is_empty());
        assert!(lan_addresses(IpAddr::from([192, 0, 2, 9])).is_empty());
        for ip in lan_addresses(IpAddr::from([0, 0, 0, 0])) {
            assert!(ip.is_ipv4() && !ip.is_loopback(), "{ip}");
        }
        assert_eq!(
            url_of(IpAddr::from([0xfd00, 0, 0, 0, 0, 0, 0, 2]), 8),
            "http://[fd00::2]:8/"
        );
    }
}
