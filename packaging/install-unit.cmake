# Run by `cmake --install` (src/daemon/CMakeLists.txt): writes vigild.service
# for the prefix given at install time (--prefix / PREFIX=), not the one
# configured, so the unit names the vigild that was really installed.
set(SBINDIR "${CMAKE_INSTALL_PREFIX}/${VIGIL_SBINDIR}")
set(DOCDIR "${CMAKE_INSTALL_PREFIX}/${VIGIL_DOCDIR}")
set(UNITDIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
configure_file("${VIGIL_UNIT_IN}" "${VIGIL_UNIT_OUT}" @ONLY)
file(INSTALL "${VIGIL_UNIT_OUT}" DESTINATION "${UNITDIR}")
