# Warnings and hardening for every target sotto builds.
# -Wconversion without -Wsign-conversion: truncation is what bites in byte
# and field arithmetic; sign-conversion between size_t and int is mostly noise.
set(SOTTO_WARNINGS
  -Wall -Wextra -Wshadow -Wconversion -Wno-sign-conversion
  -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wformat=2
  -Wimplicit-fallthrough -Wpointer-arith -Wundef)
if(SOTTO_WERROR)
  list(APPEND SOTTO_WARNINGS -Werror)
endif()
add_compile_options(${SOTTO_WARNINGS} -fstack-protector-strong)
if(CMAKE_BUILD_TYPE MATCHES "Rel" AND NOT SOTTO_SANITIZE AND NOT SOTTO_FUZZ)
  add_compile_definitions(_FORTIFY_SOURCE=2)
endif()

if(SOTTO_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

if(SOTTO_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "SOTTO_FUZZ needs clang (CC=clang)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
