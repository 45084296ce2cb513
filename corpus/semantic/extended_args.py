# Big code objects that need EXTENDED_ARG: a function with 300 locals, 600
# distinct constants, 300 global names and 300 attribute names (indices above
# 255), jumps over more than 256 code units (forward, backward, and out of a
# try body), and an exception handler after a long protected range.
# The repetitive parts were written by a loop; edit them as plain text.
# Several statements per line keep the file short.
from __future__ import print_function


class Bag(object):
    pass


def many_locals(flag):
    if flag:
        v0 = 1; v1 = 4; v2 = 7; v3 = 10; v4 = 13; v5 = 16; v6 = 19; v7 = 22; v8 = 25; v9 = 28
        v10 = 31; v11 = 34; v12 = 37; v13 = 40; v14 = 43; v15 = 46; v16 = 49; v17 = 52; v18 = 55; v19 = 58
        v20 = 61; v21 = 64; v22 = 67; v23 = 70; v24 = 73; v25 = 76; v26 = 79; v27 = 82; v28 = 85; v29 = 88
        v30 = 91; v31 = 94; v32 = 97; v33 = 100; v34 = 103; v35 = 106; v36 = 109; v37 = 112; v38 = 115; v39 = 118
        v40 = 121; v41 = 124; v42 = 127; v43 = 130; v44 = 133; v45 = 136; v46 = 139; v47 = 142; v48 = 145; v49 = 148
        v50 = 151; v51 = 154; v52 = 157; v53 = 160; v54 = 163; v55 = 166; v56 = 169; v57 = 172; v58 = 175; v59 = 178
        v60 = 181; v61 = 184; v62 = 187; v63 = 190; v64 = 193; v65 = 196; v66 = 199; v67 = 202; v68 = 205; v69 = 208
        v70 = 211; v71 = 214; v72 = 217; v73 = 220; v74 = 223; v75 = 226; v76 = 229; v77 = 232; v78 = 235; v79 = 238
        v80 = 241; v81 = 244; v82 = 247; v83 = 250; v84 = 253; v85 = 256; v86 = 259; v87 = 262; v88 = 265; v89 = 268
        v90 = 271; v91 = 274; v92 = 277; v93 = 280; v94 = 283; v95 = 286; v96 = 289; v97 = 292; v98 = 295; v99 = 298
        v100 = 301; v101 = 304; v102 = 307; v103 = 310; v104 = 313; v105 = 316; v106 = 319; v107 = 322; v108 = 325; v109 = 328
        v110 = 331; v111 = 334; v112 = 337; v113 = 340; v114 = 343; v115 = 346; v116 = 349; v117 = 352; v118 = 355; v119 = 358
        v120 = 361; v121 = 364; v122 = 367; v123 = 370; v124 = 373; v125 = 376; v126 = 379; v127 = 382; v128 = 385; v129 = 388
        v130 = 391; v131 = 394; v132 = 397; v133 = 400; v134 = 403; v135 = 406; v136 = 409; v137 = 412; v138 = 415; v139 = 418
        v140 = 421; v141 = 424; v142 = 427; v143 = 430; v144 = 433; v145 = 436; v146 = 439; v147 = 442; v148 = 445; v149 = 448
        v150 = 451; v151 = 454; v152 = 457; v153 = 460; v154 = 463; v155 = 466; v156 = 469; v157 = 472; v158 = 475; v159 = 478
        v160 = 481; v161 = 484; v162 = 487; v163 = 490; v164 = 493; v165 = 496; v166 = 499; v167 = 502; v168 = 505; v169 = 508
        v170 = 511; v171 = 514; v172 = 517; v173 = 520; v174 = 523; v175 = 526; v176 = 529; v177 = 532; v178 = 535; v179 = 538
        v180 = 541; v181 = 544; v182 = 547; v183 = 550; v184 = 553; v185 = 556; v186 = 559; v187 = 562; v188 = 565; v189 = 568
        v190 = 571; v191 = 574; v192 = 577; v193 = 580; v194 = 583; v195 = 586; v196 = 589; v197 = 592; v198 = 595; v199 = 598
        v200 = 601; v201 = 604; v202 = 607; v203 = 610; v204 = 613; v205 = 616; v206 = 619; v207 = 622; v208 = 625; v209 = 628
        v210 = 631; v211 = 634; v212 = 637; v213 = 640; v214 = 643; v215 = 646; v216 = 649; v217 = 652; v218 = 655; v219 = 658
        v220 = 661; v221 = 664; v222 = 667; v223 = 670; v224 = 673; v225 = 676; v226 = 679; v227 = 682; v228 = 685; v229 = 688
        v230 = 691; v231 = 694; v232 = 697; v233 = 700; v234 = 703; v235 = 706; v236 = 709; v237 = 712; v238 = 715; v239 = 718
        v240 = 721; v241 = 724; v242 = 727; v243 = 730; v244 = 733; v245 = 736; v246 = 739; v247 = 742; v248 = 745; v249 = 748
        v250 = 751; v251 = 754; v252 = 757; v253 = 760; v254 = 763; v255 = 766; v256 = 769; v257 = 772; v258 = 775; v259 = 778
        v260 = 781; v261 = 784; v262 = 787; v263 = 790; v264 = 793; v265 = 796; v266 = 799; v267 = 802; v268 = 805; v269 = 808
        v270 = 811; v271 = 814; v272 = 817; v273 = 820; v274 = 823; v275 = 826; v276 = 829; v277 = 832; v278 = 835; v279 = 838
        v280 = 841; v281 = 844; v282 = 847; v283 = 850; v284 = 853; v285 = 856; v286 = 859; v287 = 862; v288 = 865; v289 = 868
        v290 = 871; v291 = 874; v292 = 877; v293 = 880; v294 = 883; v295 = 886; v296 = 889; v297 = 892; v298 = 895; v299 = 898
    else:
        return "flag was false"
    total = 0
    total += v0 + v1 + v2 + v3 + v4 + v5 + v6 + v7 + v8 + v9
    total += v10 + v11 + v12 + v13 + v14 + v15 + v16 + v17 + v18 + v19
    total += v20 + v21 + v22 + v23 + v24 + v25 + v26 + v27 + v28 + v29
    total += v30 + v31 + v32 + v33 + v34 + v35 + v36 + v37 + v38 + v39
    total += v40 + v41 + v42 + v43 + v44 + v45 + v46 + v47 + v48 + v49
    total += v50 + v51 + v52 + v53 + v54 + v55 + v56 + v57 + v58 + v59
    total += v60 + v61 + v62 + v63 + v64 + v65 + v66 + v67 + v68 + v69
    total += v70 + v71 + v72 + v73 + v74 + v75 + v76 + v77 + v78 + v79
    total += v80 + v81 + v82 + v83 + v84 + v85 + v86 + v87 + v88 + v89
    total += v90 + v91 + v92 + v93 + v94 + v95 + v96 + v97 + v98 + v99
    total += v100 + v101 + v102 + v103 + v104 + v105 + v106 + v107 + v108 + v109
    total += v110 + v111 + v112 + v113 + v114 + v115 + v116 + v117 + v118 + v119
    total += v120 + v121 + v122 + v123 + v124 + v125 + v126 + v127 + v128 + v129
    total += v130 + v131 + v132 + v133 + v134 + v135 + v136 + v137 + v138 + v139
    total += v140 + v141 + v142 + v143 + v144 + v145 + v146 + v147 + v148 + v149
    total += v150 + v151 + v152 + v153 + v154 + v155 + v156 + v157 + v158 + v159
    total += v160 + v161 + v162 + v163 + v164 + v165 + v166 + v167 + v168 + v169
    total += v170 + v171 + v172 + v173 + v174 + v175 + v176 + v177 + v178 + v179
    total += v180 + v181 + v182 + v183 + v184 + v185 + v186 + v187 + v188 + v189
    total += v190 + v191 + v192 + v193 + v194 + v195 + v196 + v197 + v198 + v199
    total += v200 + v201 + v202 + v203 + v204 + v205 + v206 + v207 + v208 + v209
    total += v210 + v211 + v212 + v213 + v214 + v215 + v216 + v217 + v218 + v219
    total += v220 + v221 + v222 + v223 + v224 + v225 + v226 + v227 + v228 + v229
    total += v230 + v231 + v232 + v233 + v234 + v235 + v236 + v237 + v238 + v239
    total += v240 + v241 + v242 + v243 + v244 + v245 + v246 + v247 + v248 + v249
    total += v250 + v251 + v252 + v253 + v254 + v255 + v256 + v257 + v258 + v259
    total += v260 + v261 + v262 + v263 + v264 + v265 + v266 + v267 + v268 + v269
    total += v270 + v271 + v272 + v273 + v274 + v275 + v276 + v277 + v278 + v279
    total += v280 + v281 + v282 + v283 + v284 + v285 + v286 + v287 + v288 + v289
    total += v290 + v291 + v292 + v293 + v294 + v295 + v296 + v297 + v298 + v299
    del v7
    try:
        return total, v7
    except NameError as e:
        return total, v299, type(e).__name__


def many_constants(rounds):
    total = 0
    parts = []
    for r in range(rounds):
        total = (total * 31 + 1000000) % 1000000007; total = (total * 31 + 1000007) % 1000000007; total = (total * 31 + 1000014) % 1000000007; total = (total * 31 + 1000021) % 1000000007; total = (total * 31 + 1000028) % 1000000007
        total = (total * 31 + 1000035) % 1000000007; total = (total * 31 + 1000042) % 1000000007; total = (total * 31 + 1000049) % 1000000007; total = (total * 31 + 1000056) % 1000000007; total = (total * 31 + 1000063) % 1000000007
        total = (total * 31 + 1000070) % 1000000007; total = (total * 31 + 1000077) % 1000000007; total = (total * 31 + 1000084) % 1000000007; total = (total * 31 + 1000091) % 1000000007; total = (total * 31 + 1000098) % 1000000007
        total = (total * 31 + 1000105) % 1000000007; total = (total * 31 + 1000112) % 1000000007; total = (total * 31 + 1000119) % 1000000007; total = (total * 31 + 1000126) % 1000000007; total = (total * 31 + 1000133) % 1000000007
        total = (total * 31 + 1000140) % 1000000007; total = (total * 31 + 1000147) % 1000000007; total = (total * 31 + 1000154) % 1000000007; total = (total * 31 + 1000161) % 1000000007; total = (total * 31 + 1000168) % 1000000007
        total = (total * 31 + 1000175) % 1000000007; total = (total * 31 + 1000182) % 1000000007; total = (total * 31 + 1000189) % 1000000007; total = (total * 31 + 1000196) % 1000000007; total = (total * 31 + 1000203) % 1000000007
        total = (total * 31 + 1000210) % 1000000007; total = (total * 31 + 1000217) % 1000000007; total = (total * 31 + 1000224) % 1000000007; total = (total * 31 + 1000231) % 1000000007; total = (total * 31 + 1000238) % 1000000007
        total = (total * 31 + 1000245) % 1000000007; total = (total * 31 + 1000252) % 1000000007; total = (total * 31 + 1000259) % 1000000007; total = (total * 31 + 1000266) % 1000000007; total = (total * 31 + 1000273) % 1000000007
        total = (total * 31 + 1000280) % 1000000007; total = (total * 31 + 1000287) % 1000000007; total = (total * 31 + 1000294) % 1000000007; total = (total * 31 + 1000301) % 1000000007; total = (total * 31 + 1000308) % 1000000007
        total = (total * 31 + 1000315) % 1000000007; total = (total * 31 + 1000322) % 1000000007; total = (total * 31 + 1000329) % 1000000007; total = (total * 31 + 1000336) % 1000000007; total = (total * 31 + 1000343) % 1000000007
        total = (total * 31 + 1000350) % 1000000007; total = (total * 31 + 1000357) % 1000000007; total = (total * 31 + 1000364) % 1000000007; total = (total * 31 + 1000371) % 1000000007; total = (total * 31 + 1000378) % 1000000007
        total = (total * 31 + 1000385) % 1000000007; total = (total * 31 + 1000392) % 1000000007; total = (total * 31 + 1000399) % 1000000007; total = (total * 31 + 1000406) % 1000000007; total = (total * 31 + 1000413) % 1000000007
        total = (total * 31 + 1000420) % 1000000007; total = (total * 31 + 1000427) % 1000000007; total = (total * 31 + 1000434) % 1000000007; total = (total * 31 + 1000441) % 1000000007; total = (total * 31 + 1000448) % 1000000007
        total = (total * 31 + 1000455) % 1000000007; total = (total * 31 + 1000462) % 1000000007; total = (total * 31 + 1000469) % 1000000007; total = (total * 31 + 1000476) % 1000000007; total = (total * 31 + 1000483) % 1000000007
        total = (total * 31 + 1000490) % 1000000007; total = (total * 31 + 1000497) % 1000000007; total = (total * 31 + 1000504) % 1000000007; total = (total * 31 + 1000511) % 1000000007; total = (total * 31 + 1000518) % 1000000007
        total = (total * 31 + 1000525) % 1000000007; total = (total * 31 + 1000532) % 1000000007; total = (total * 31 + 1000539) % 1000000007; total = (total * 31 + 1000546) % 1000000007; total = (total * 31 + 1000553) % 1000000007
        total = (total * 31 + 1000560) % 1000000007; total = (total * 31 + 1000567) % 1000000007; total = (total * 31 + 1000574) % 1000000007; total = (total * 31 + 1000581) % 1000000007; total = (total * 31 + 1000588) % 1000000007
        total = (total * 31 + 1000595) % 1000000007; total = (total * 31 + 1000602) % 1000000007; total = (total * 31 + 1000609) % 1000000007; total = (total * 31 + 1000616) % 1000000007; total = (total * 31 + 1000623) % 1000000007
        total = (total * 31 + 1000630) % 1000000007; total = (total * 31 + 1000637) % 1000000007; total = (total * 31 + 1000644) % 1000000007; total = (total * 31 + 1000651) % 1000000007; total = (total * 31 + 1000658) % 1000000007
        total = (total * 31 + 1000665) % 1000000007; total = (total * 31 + 1000672) % 1000000007; total = (total * 31 + 1000679) % 1000000007; total = (total * 31 + 1000686) % 1000000007; total = (total * 31 + 1000693) % 1000000007
        total = (total * 31 + 1000700) % 1000000007; total = (total * 31 + 1000707) % 1000000007; total = (total * 31 + 1000714) % 1000000007; total = (total * 31 + 1000721) % 1000000007; total = (total * 31 + 1000728) % 1000000007
        total = (total * 31 + 1000735) % 1000000007; total = (total * 31 + 1000742) % 1000000007; total = (total * 31 + 1000749) % 1000000007; total = (total * 31 + 1000756) % 1000000007; total = (total * 31 + 1000763) % 1000000007
        total = (total * 31 + 1000770) % 1000000007; total = (total * 31 + 1000777) % 1000000007; total = (total * 31 + 1000784) % 1000000007; total = (total * 31 + 1000791) % 1000000007; total = (total * 31 + 1000798) % 1000000007
        total = (total * 31 + 1000805) % 1000000007; total = (total * 31 + 1000812) % 1000000007; total = (total * 31 + 1000819) % 1000000007; total = (total * 31 + 1000826) % 1000000007; total = (total * 31 + 1000833) % 1000000007
        total = (total * 31 + 1000840) % 1000000007; total = (total * 31 + 1000847) % 1000000007; total = (total * 31 + 1000854) % 1000000007; total = (total * 31 + 1000861) % 1000000007; total = (total * 31 + 1000868) % 1000000007
        total = (total * 31 + 1000875) % 1000000007; total = (total * 31 + 1000882) % 1000000007; total = (total * 31 + 1000889) % 1000000007; total = (total * 31 + 1000896) % 1000000007; total = (total * 31 + 1000903) % 1000000007
        total = (total * 31 + 1000910) % 1000000007; total = (total * 31 + 1000917) % 1000000007; total = (total * 31 + 1000924) % 1000000007; total = (total * 31 + 1000931) % 1000000007; total = (total * 31 + 1000938) % 1000000007
        total = (total * 31 + 1000945) % 1000000007; total = (total * 31 + 1000952) % 1000000007; total = (total * 31 + 1000959) % 1000000007; total = (total * 31 + 1000966) % 1000000007; total = (total * 31 + 1000973) % 1000000007
        total = (total * 31 + 1000980) % 1000000007; total = (total * 31 + 1000987) % 1000000007; total = (total * 31 + 1000994) % 1000000007; total = (total * 31 + 1001001) % 1000000007; total = (total * 31 + 1001008) % 1000000007
        total = (total * 31 + 1001015) % 1000000007; total = (total * 31 + 1001022) % 1000000007; total = (total * 31 + 1001029) % 1000000007; total = (total * 31 + 1001036) % 1000000007; total = (total * 31 + 1001043) % 1000000007
        total = (total * 31 + 1001050) % 1000000007; total = (total * 31 + 1001057) % 1000000007; total = (total * 31 + 1001064) % 1000000007; total = (total * 31 + 1001071) % 1000000007; total = (total * 31 + 1001078) % 1000000007
        total = (total * 31 + 1001085) % 1000000007; total = (total * 31 + 1001092) % 1000000007; total = (total * 31 + 1001099) % 1000000007; total = (total * 31 + 1001106) % 1000000007; total = (total * 31 + 1001113) % 1000000007
        total = (total * 31 + 1001120) % 1000000007; total = (total * 31 + 1001127) % 1000000007; total = (total * 31 + 1001134) % 1000000007; total = (total * 31 + 1001141) % 1000000007; total = (total * 31 + 1001148) % 1000000007
        total = (total * 31 + 1001155) % 1000000007; total = (total * 31 + 1001162) % 1000000007; total = (total * 31 + 1001169) % 1000000007; total = (total * 31 + 1001176) % 1000000007; total = (total * 31 + 1001183) % 1000000007
        total = (total * 31 + 1001190) % 1000000007; total = (total * 31 + 1001197) % 1000000007; total = (total * 31 + 1001204) % 1000000007; total = (total * 31 + 1001211) % 1000000007; total = (total * 31 + 1001218) % 1000000007
        total = (total * 31 + 1001225) % 1000000007; total = (total * 31 + 1001232) % 1000000007; total = (total * 31 + 1001239) % 1000000007; total = (total * 31 + 1001246) % 1000000007; total = (total * 31 + 1001253) % 1000000007
        total = (total * 31 + 1001260) % 1000000007; total = (total * 31 + 1001267) % 1000000007; total = (total * 31 + 1001274) % 1000000007; total = (total * 31 + 1001281) % 1000000007; total = (total * 31 + 1001288) % 1000000007
        total = (total * 31 + 1001295) % 1000000007; total = (total * 31 + 1001302) % 1000000007; total = (total * 31 + 1001309) % 1000000007; total = (total * 31 + 1001316) % 1000000007; total = (total * 31 + 1001323) % 1000000007
        total = (total * 31 + 1001330) % 1000000007; total = (total * 31 + 1001337) % 1000000007; total = (total * 31 + 1001344) % 1000000007; total = (total * 31 + 1001351) % 1000000007; total = (total * 31 + 1001358) % 1000000007
        total = (total * 31 + 1001365) % 1000000007; total = (total * 31 + 1001372) % 1000000007; total = (total * 31 + 1001379) % 1000000007; total = (total * 31 + 1001386) % 1000000007; total = (total * 31 + 1001393) % 1000000007
        total = (total * 31 + 1001400) % 1000000007; total = (total * 31 + 1001407) % 1000000007; total = (total * 31 + 1001414) % 1000000007; total = (total * 31 + 1001421) % 1000000007; total = (total * 31 + 1001428) % 1000000007
        total = (total * 31 + 1001435) % 1000000007; total = (total * 31 + 1001442) % 1000000007; total = (total * 31 + 1001449) % 1000000007; total = (total * 31 + 1001456) % 1000000007; total = (total * 31 + 1001463) % 1000000007
        total = (total * 31 + 1001470) % 1000000007; total = (total * 31 + 1001477) % 1000000007; total = (total * 31 + 1001484) % 1000000007; total = (total * 31 + 1001491) % 1000000007; total = (total * 31 + 1001498) % 1000000007
        total = (total * 31 + 1001505) % 1000000007; total = (total * 31 + 1001512) % 1000000007; total = (total * 31 + 1001519) % 1000000007; total = (total * 31 + 1001526) % 1000000007; total = (total * 31 + 1001533) % 1000000007
        total = (total * 31 + 1001540) % 1000000007; total = (total * 31 + 1001547) % 1000000007; total = (total * 31 + 1001554) % 1000000007; total = (total * 31 + 1001561) % 1000000007; total = (total * 31 + 1001568) % 1000000007
        total = (total * 31 + 1001575) % 1000000007; total = (total * 31 + 1001582) % 1000000007; total = (total * 31 + 1001589) % 1000000007; total = (total * 31 + 1001596) % 1000000007; total = (total * 31 + 1001603) % 1000000007
        total = (total * 31 + 1001610) % 1000000007; total = (total * 31 + 1001617) % 1000000007; total = (total * 31 + 1001624) % 1000000007; total = (total * 31 + 1001631) % 1000000007; total = (total * 31 + 1001638) % 1000000007
        total = (total * 31 + 1001645) % 1000000007; total = (total * 31 + 1001652) % 1000000007; total = (total * 31 + 1001659) % 1000000007; total = (total * 31 + 1001666) % 1000000007; total = (total * 31 + 1001673) % 1000000007
        total = (total * 31 + 1001680) % 1000000007; total = (total * 31 + 1001687) % 1000000007; total = (total * 31 + 1001694) % 1000000007; total = (total * 31 + 1001701) % 1000000007; total = (total * 31 + 1001708) % 1000000007
        total = (total * 31 + 1001715) % 1000000007; total = (total * 31 + 1001722) % 1000000007; total = (total * 31 + 1001729) % 1000000007; total = (total * 31 + 1001736) % 1000000007; total = (total * 31 + 1001743) % 1000000007
        total = (total * 31 + 1001750) % 1000000007; total = (total * 31 + 1001757) % 1000000007; total = (total * 31 + 1001764) % 1000000007; total = (total * 31 + 1001771) % 1000000007; total = (total * 31 + 1001778) % 1000000007
        total = (total * 31 + 1001785) % 1000000007; total = (total * 31 + 1001792) % 1000000007; total = (total * 31 + 1001799) % 1000000007; total = (total * 31 + 1001806) % 1000000007; total = (total * 31 + 1001813) % 1000000007
        total = (total * 31 + 1001820) % 1000000007; total = (total * 31 + 1001827) % 1000000007; total = (total * 31 + 1001834) % 1000000007; total = (total * 31 + 1001841) % 1000000007; total = (total * 31 + 1001848) % 1000000007
        total = (total * 31 + 1001855) % 1000000007; total = (total * 31 + 1001862) % 1000000007; total = (total * 31 + 1001869) % 1000000007; total = (total * 31 + 1001876) % 1000000007; total = (total * 31 + 1001883) % 1000000007
        total = (total * 31 + 1001890) % 1000000007; total = (total * 31 + 1001897) % 1000000007; total = (total * 31 + 1001904) % 1000000007; total = (total * 31 + 1001911) % 1000000007; total = (total * 31 + 1001918) % 1000000007
        total = (total * 31 + 1001925) % 1000000007; total = (total * 31 + 1001932) % 1000000007; total = (total * 31 + 1001939) % 1000000007; total = (total * 31 + 1001946) % 1000000007; total = (total * 31 + 1001953) % 1000000007
        total = (total * 31 + 1001960) % 1000000007; total = (total * 31 + 1001967) % 1000000007; total = (total * 31 + 1001974) % 1000000007; total = (total * 31 + 1001981) % 1000000007; total = (total * 31 + 1001988) % 1000000007
        total = (total * 31 + 1001995) % 1000000007; total = (total * 31 + 1002002) % 1000000007; total = (total * 31 + 1002009) % 1000000007; total = (total * 31 + 1002016) % 1000000007; total = (total * 31 + 1002023) % 1000000007
        total = (total * 31 + 1002030) % 1000000007; total = (total * 31 + 1002037) % 1000000007; total = (total * 31 + 1002044) % 1000000007; total = (total * 31 + 1002051) % 1000000007; total = (total * 31 + 1002058) % 1000000007
        total = (total * 31 + 1002065) % 1000000007; total = (total * 31 + 1002072) % 1000000007; total = (total * 31 + 1002079) % 1000000007; total = (total * 31 + 1002086) % 1000000007; total = (total * 31 + 1002093) % 1000000007
        parts.append("k0"); parts.append("k1"); parts.append("k2"); parts.append("k3"); parts.append("k4"); parts.append("k5"); parts.append("k6"); parts.append("k7"); parts.append("k8"); parts.append("k9")
        parts.append("k10"); parts.append("k11"); parts.append("k12"); parts.append("k13"); parts.append("k14"); parts.append("k15"); parts.append("k16"); parts.append("k17"); parts.append("k18"); parts.append("k19")
        parts.append("k20"); parts.append("k21"); parts.append("k22"); parts.append("k23"); parts.append("k24"); parts.append("k25"); parts.append("k26"); parts.append("k27"); parts.append("k28"); parts.append("k29")
        parts.append("k30"); parts.append("k31"); parts.append("k32"); parts.append("k33"); parts.append("k34"); parts.append("k35"); parts.append("k36"); parts.append("k37"); parts.append("k38"); parts.append("k39")
        parts.append("k40"); parts.append("k41"); parts.append("k42"); parts.append("k43"); parts.append("k44"); parts.append("k45"); parts.append("k46"); parts.append("k47"); parts.append("k48"); parts.append("k49")
        parts.append("k50"); parts.append("k51"); parts.append("k52"); parts.append("k53"); parts.append("k54"); parts.append("k55"); parts.append("k56"); parts.append("k57"); parts.append("k58"); parts.append("k59")
        parts.append("k60"); parts.append("k61"); parts.append("k62"); parts.append("k63"); parts.append("k64"); parts.append("k65"); parts.append("k66"); parts.append("k67"); parts.append("k68"); parts.append("k69")
        parts.append("k70"); parts.append("k71"); parts.append("k72"); parts.append("k73"); parts.append("k74"); parts.append("k75"); parts.append("k76"); parts.append("k77"); parts.append("k78"); parts.append("k79")
        parts.append("k80"); parts.append("k81"); parts.append("k82"); parts.append("k83"); parts.append("k84"); parts.append("k85"); parts.append("k86"); parts.append("k87"); parts.append("k88"); parts.append("k89")
        parts.append("k90"); parts.append("k91"); parts.append("k92"); parts.append("k93"); parts.append("k94"); parts.append("k95"); parts.append("k96"); parts.append("k97"); parts.append("k98"); parts.append("k99")
        parts.append("k100"); parts.append("k101"); parts.append("k102"); parts.append("k103"); parts.append("k104"); parts.append("k105"); parts.append("k106"); parts.append("k107"); parts.append("k108"); parts.append("k109")
        parts.append("k110"); parts.append("k111"); parts.append("k112"); parts.append("k113"); parts.append("k114"); parts.append("k115"); parts.append("k116"); parts.append("k117"); parts.append("k118"); parts.append("k119")
        parts.append("k120"); parts.append("k121"); parts.append("k122"); parts.append("k123"); parts.append("k124"); parts.append("k125"); parts.append("k126"); parts.append("k127"); parts.append("k128"); parts.append("k129")
        parts.append("k130"); parts.append("k131"); parts.append("k132"); parts.append("k133"); parts.append("k134"); parts.append("k135"); parts.append("k136"); parts.append("k137"); parts.append("k138"); parts.append("k139")
        parts.append("k140"); parts.append("k141"); parts.append("k142"); parts.append("k143"); parts.append("k144"); parts.append("k145"); parts.append("k146"); parts.append("k147"); parts.append("k148"); parts.append("k149")
        parts.append("k150"); parts.append("k151"); parts.append("k152"); parts.append("k153"); parts.append("k154"); parts.append("k155"); parts.append("k156"); parts.append("k157"); parts.append("k158"); parts.append("k159")
        parts.append("k160"); parts.append("k161"); parts.append("k162"); parts.append("k163"); parts.append("k164"); parts.append("k165"); parts.append("k166"); parts.append("k167"); parts.append("k168"); parts.append("k169")
        parts.append("k170"); parts.append("k171"); parts.append("k172"); parts.append("k173"); parts.append("k174"); parts.append("k175"); parts.append("k176"); parts.append("k177"); parts.append("k178"); parts.append("k179")
        parts.append("k180"); parts.append("k181"); parts.append("k182"); parts.append("k183"); parts.append("k184"); parts.append("k185"); parts.append("k186"); parts.append("k187"); parts.append("k188"); parts.append("k189")
        parts.append("k190"); parts.append("k191"); parts.append("k192"); parts.append("k193"); parts.append("k194"); parts.append("k195"); parts.append("k196"); parts.append("k197"); parts.append("k198"); parts.append("k199")
        parts.append("k200"); parts.append("k201"); parts.append("k202"); parts.append("k203"); parts.append("k204"); parts.append("k205"); parts.append("k206"); parts.append("k207"); parts.append("k208"); parts.append("k209")
        parts.append("k210"); parts.append("k211"); parts.append("k212"); parts.append("k213"); parts.append("k214"); parts.append("k215"); parts.append("k216"); parts.append("k217"); parts.append("k218"); parts.append("k219")
        parts.append("k220"); parts.append("k221"); parts.append("k222"); parts.append("k223"); parts.append("k224"); parts.append("k225"); parts.append("k226"); parts.append("k227"); parts.append("k228"); parts.append("k229")
        parts.append("k230"); parts.append("k231"); parts.append("k232"); parts.append("k233"); parts.append("k234"); parts.append("k235"); parts.append("k236"); parts.append("k237"); parts.append("k238"); parts.append("k239")
        parts.append("k240"); parts.append("k241"); parts.append("k242"); parts.append("k243"); parts.append("k244"); parts.append("k245"); parts.append("k246"); parts.append("k247"); parts.append("k248"); parts.append("k249")
        parts.append("k250"); parts.append("k251"); parts.append("k252"); parts.append("k253"); parts.append("k254"); parts.append("k255"); parts.append("k256"); parts.append("k257"); parts.append("k258"); parts.append("k259")
        parts.append("k260"); parts.append("k261"); parts.append("k262"); parts.append("k263"); parts.append("k264"); parts.append("k265"); parts.append("k266"); parts.append("k267"); parts.append("k268"); parts.append("k269")
        parts.append("k270"); parts.append("k271"); parts.append("k272"); parts.append("k273"); parts.append("k274"); parts.append("k275"); parts.append("k276"); parts.append("k277"); parts.append("k278"); parts.append("k279")
        parts.append("k280"); parts.append("k281"); parts.append("k282"); parts.append("k283"); parts.append("k284"); parts.append("k285"); parts.append("k286"); parts.append("k287"); parts.append("k288"); parts.append("k289")
        parts.append("k290"); parts.append("k291"); parts.append("k292"); parts.append("k293"); parts.append("k294"); parts.append("k295"); parts.append("k296"); parts.append("k297"); parts.append("k298"); parts.append("k299")
        if r == 1:
            break
    else:
        parts.append("loop else")
    return total, len(parts), parts[-1], parts[137], parts[298]


g0 = 0; g1 = 1; g2 = 2; g3 = 3; g4 = 4; g5 = 5; g6 = 6; g7 = 7; g8 = 8; g9 = 9
g10 = 10; g11 = 11; g12 = 12; g13 = 13; g14 = 14; g15 = 15; g16 = 16; g17 = 17; g18 = 18; g19 = 19
g20 = 20; g21 = 21; g22 = 22; g23 = 23; g24 = 24; g25 = 25; g26 = 26; g27 = 27; g28 = 28; g29 = 29
g30 = 30; g31 = 31; g32 = 32; g33 = 33; g34 = 34; g35 = 35; g36 = 36; g37 = 37; g38 = 38; g39 = 39
g40 = 40; g41 = 41; g42 = 42; g43 = 43; g44 = 44; g45 = 45; g46 = 46; g47 = 47; g48 = 48; g49 = 49
g50 = 50; g51 = 51; g52 = 52; g53 = 53; g54 = 54; g55 = 55; g56 = 56; g57 = 57; g58 = 58; g59 = 59
g60 = 60; g61 = 61; g62 = 62; g63 = 63; g64 = 64; g65 = 65; g66 = 66; g67 = 67; g68 = 68; g69 = 69
g70 = 70; g71 = 71; g72 = 72; g73 = 73; g74 = 74; g75 = 75; g76 = 76; g77 = 77; g78 = 78; g79 = 79
g80 = 80; g81 = 81; g82 = 82; g83 = 83; g84 = 84; g85 = 85; g86 = 86; g87 = 87; g88 = 88; g89 = 89
g90 = 90; g91 = 91; g92 = 92; g93 = 93; g94 = 94; g95 = 95; g96 = 96; g97 = 97; g98 = 98; g99 = 99
g100 = 100; g101 = 101; g102 = 102; g103 = 103; g104 = 104; g105 = 105; g106 = 106; g107 = 107; g108 = 108; g109 = 109
g110 = 110; g111 = 111; g112 = 112; g113 = 113; g114 = 114; g115 = 115; g116 = 116; g117 = 117; g118 = 118; g119 = 119
g120 = 120; g121 = 121; g122 = 122; g123 = 123; g124 = 124; g125 = 125; g126 = 126; g127 = 127; g128 = 128; g129 = 129
g130 = 130; g131 = 131; g132 = 132; g133 = 133; g134 = 134; g135 = 135; g136 = 136; g137 = 137; g138 = 138; g139 = 139
g140 = 140; g141 = 141; g142 = 142; g143 = 143; g144 = 144; g145 = 145; g146 = 146; g147 = 147; g148 = 148; g149 = 149
g150 = 150; g151 = 151; g152 = 152; g153 = 153; g154 = 154; g155 = 155; g156 = 156; g157 = 157; g158 = 158; g159 = 159
g160 = 160; g161 = 161; g162 = 162; g163 = 163; g164 = 164; g165 = 165; g166 = 166; g167 = 167; g168 = 168; g169 = 169
g170 = 170; g171 = 171; g172 = 172; g173 = 173; g174 = 174; g175 = 175; g176 = 176; g177 = 177; g178 = 178; g179 = 179
g180 = 180; g181 = 181; g182 = 182; g183 = 183; g184 = 184; g185 = 185; g186 = 186; g187 = 187; g188 = 188; g189 = 189
g190 = 190; g191 = 191; g192 = 192; g193 = 193; g194 = 194; g195 = 195; g196 = 196; g197 = 197; g198 = 198; g199 = 199
g200 = 200; g201 = 201; g202 = 202; g203 = 203; g204 = 204; g205 = 205; g206 = 206; g207 = 207; g208 = 208; g209 = 209
g210 = 210; g211 = 211; g212 = 212; g213 = 213; g214 = 214; g215 = 215; g216 = 216; g217 = 217; g218 = 218; g219 = 219
g220 = 220; g221 = 221; g222 = 222; g223 = 223; g224 = 224; g225 = 225; g226 = 226; g227 = 227; g228 = 228; g229 = 229
g230 = 230; g231 = 231; g232 = 232; g233 = 233; g234 = 234; g235 = 235; g236 = 236; g237 = 237; g238 = 238; g239 = 239
g240 = 240; g241 = 241; g242 = 242; g243 = 243; g244 = 244; g245 = 245; g246 = 246; g247 = 247; g248 = 248; g249 = 249
g250 = 250; g251 = 251; g252 = 252; g253 = 253; g254 = 254; g255 = 255; g256 = 256; g257 = 257; g258 = 258; g259 = 259
g260 = 260; g261 = 261; g262 = 262; g263 = 263; g264 = 264; g265 = 265; g266 = 266; g267 = 267; g268 = 268; g269 = 269
g270 = 270; g271 = 271; g272 = 272; g273 = 273; g274 = 274; g275 = 275; g276 = 276; g277 = 277; g278 = 278; g279 = 279
g280 = 280; g281 = 281; g282 = 282; g283 = 283; g284 = 284; g285 = 285; g286 = 286; g287 = 287; g288 = 288; g289 = 289
g290 = 290; g291 = 291; g292 = 292; g293 = 293; g294 = 294; g295 = 295; g296 = 296; g297 = 297; g298 = 298; g299 = 299


def many_names():
    total = 0
    total += g0 + g1 + g2 + g3 + g4 + g5 + g6 + g7 + g8 + g9
    total += g10 + g11 + g12 + g13 + g14 + g15 + g16 + g17 + g18 + g19
    total += g20 + g21 + g22 + g23 + g24 + g25 + g26 + g27 + g28 + g29
    total += g30 + g31 + g32 + g33 + g34 + g35 + g36 + g37 + g38 + g39
    total += g40 + g41 + g42 + g43 + g44 + g45 + g46 + g47 + g48 + g49
    total += g50 + g51 + g52 + g53 + g54 + g55 + g56 + g57 + g58 + g59
    total += g60 + g61 + g62 + g63 + g64 + g65 + g66 + g67 + g68 + g69
    total += g70 + g71 + g72 + g73 + g74 + g75 + g76 + g77 + g78 + g79
    total += g80 + g81 + g82 + g83 + g84 + g85 + g86 + g87 + g88 + g89
    total += g90 + g91 + g92 + g93 + g94 + g95 + g96 + g97 + g98 + g99
    total += g100 + g101 + g102 + g103 + g104 + g105 + g106 + g107 + g108 + g109
    total += g110 + g111 + g112 + g113 + g114 + g115 + g116 + g117 + g118 + g119
    total += g120 + g121 + g122 + g123 + g124 + g125 + g126 + g127 + g128 + g129
    total += g130 + g131 + g132 + g133 + g134 + g135 + g136 + g137 + g138 + g139
    total += g140 + g141 + g142 + g143 + g144 + g145 + g146 + g147 + g148 + g149
    total += g150 + g151 + g152 + g153 + g154 + g155 + g156 + g157 + g158 + g159
    total += g160 + g161 + g162 + g163 + g164 + g165 + g166 + g167 + g168 + g169
    total += g170 + g171 + g172 + g173 + g174 + g175 + g176 + g177 + g178 + g179
    total += g180 + g181 + g182 + g183 + g184 + g185 + g186 + g187 + g188 + g189
    total += g190 + g191 + g192 + g193 + g194 + g195 + g196 + g197 + g198 + g199
    total += g200 + g201 + g202 + g203 + g204 + g205 + g206 + g207 + g208 + g209
    total += g210 + g211 + g212 + g213 + g214 + g215 + g216 + g217 + g218 + g219
    total += g220 + g221 + g222 + g223 + g224 + g225 + g226 + g227 + g228 + g229
    total += g230 + g231 + g232 + g233 + g234 + g235 + g236 + g237 + g238 + g239
    total += g240 + g241 + g242 + g243 + g244 + g245 + g246 + g247 + g248 + g249
    total += g250 + g251 + g252 + g253 + g254 + g255 + g256 + g257 + g258 + g259
    total += g260 + g261 + g262 + g263 + g264 + g265 + g266 + g267 + g268 + g269
    total += g270 + g271 + g272 + g273 + g274 + g275 + g276 + g277 + g278 + g279
    total += g280 + g281 + g282 + g283 + g284 + g285 + g286 + g287 + g288 + g289
    total += g290 + g291 + g292 + g293 + g294 + g295 + g296 + g297 + g298 + g299
    return total


def many_attributes():
    b = Bag()
    b.a0 = 0; b.a1 = 1; b.a2 = 2; b.a3 = 3; b.a4 = 4; b.a5 = 5; b.a6 = 6; b.a7 = 7; b.a8 = 8; b.a9 = 9
    b.a10 = 10; b.a11 = 11; b.a12 = 12; b.a13 = 13; b.a14 = 14; b.a15 = 15; b.a16 = 16; b.a17 = 17; b.a18 = 18; b.a19 = 19
    b.a20 = 20; b.a21 = 21; b.a22 = 22; b.a23 = 23; b.a24 = 24; b.a25 = 25; b.a26 = 26; b.a27 = 27; b.a28 = 28; b.a29 = 29
    b.a30 = 30; b.a31 = 31; b.a32 = 32; b.a33 = 33; b.a34 = 34; b.a35 = 35; b.a36 = 36; b.a37 = 37; b.a38 = 38; b.a39 = 39
    b.a40 = 40; b.a41 = 41; b.a42 = 42; b.a43 = 43; b.a44 = 44; b.a45 = 45; b.a46 = 46; b.a47 = 47; b.a48 = 48; b.a49 = 49
    b.a50 = 50; b.a51 = 51; b.a52 = 52; b.a53 = 53; b.a54 = 54; b.a55 = 55; b.a56 = 56; b.a57 = 57; b.a58 = 58; b.a59 = 59
    b.a60 = 60; b.a61 = 61; b.a62 = 62; b.a63 = 63; b.a64 = 64; b.a65 = 65; b.a66 = 66; b.a67 = 67; b.a68 = 68; b.a69 = 69
    b.a70 = 70; b.a71 = 71; b.a72 = 72; b.a73 = 73; b.a74 = 74; b.a75 = 75; b.a76 = 76; b.a77 = 77; b.a78 = 78; b.a79 = 79
    b.a80 = 80; b.a81 = 81; b.a82 = 82; b.a83 = 83; b.a84 = 84; b.a85 = 85; b.a86 = 86; b.a87 = 87; b.a88 = 88; b.a89 = 89
    b.a90 = 90; b.a91 = 91; b.a92 = 92; b.a93 = 93; b.a94 = 94; b.a95 = 95; b.a96 = 96; b.a97 = 97; b.a98 = 98; b.a99 = 99
    b.a100 = 100; b.a101 = 101; b.a102 = 102; b.a103 = 103; b.a104 = 104; b.a105 = 105; b.a106 = 106; b.a107 = 107; b.a108 = 108; b.a109 = 109
    b.a110 = 110; b.a111 = 111; b.a112 = 112; b.a113 = 113; b.a114 = 114; b.a115 = 115; b.a116 = 116; b.a117 = 117; b.a118 = 118; b.a119 = 119
    b.a120 = 120; b.a121 = 121; b.a122 = 122; b.a123 = 123; b.a124 = 124; b.a125 = 125; b.a126 = 126; b.a127 = 127; b.a128 = 128; b.a129 = 129
    b.a130 = 130; b.a131 = 131; b.a132 = 132; b.a133 = 133; b.a134 = 134; b.a135 = 135; b.a136 = 136; b.a137 = 137; b.a138 = 138; b.a139 = 139
    b.a140 = 140; b.a141 = 141; b.a142 = 142; b.a143 = 143; b.a144 = 144; b.a145 = 145; b.a146 = 146; b.a147 = 147; b.a148 = 148; b.a149 = 149
    b.a150 = 150; b.a151 = 151; b.a152 = 152; b.a153 = 153; b.a154 = 154; b.a155 = 155; b.a156 = 156; b.a157 = 157; b.a158 = 158; b.a159 = 159
    b.a160 = 160; b.a161 = 161; b.a162 = 162; b.a163 = 163; b.a164 = 164; b.a165 = 165; b.a166 = 166; b.a167 = 167; b.a168 = 168; b.a169 = 169
    b.a170 = 170; b.a171 = 171; b.a172 = 172; b.a173 = 173; b.a174 = 174; b.a175 = 175; b.a176 = 176; b.a177 = 177; b.a178 = 178; b.a179 = 179
    b.a180 = 180; b.a181 = 181; b.a182 = 182; b.a183 = 183; b.a184 = 184; b.a185 = 185; b.a186 = 186; b.a187 = 187; b.a188 = 188; b.a189 = 189
    b.a190 = 190; b.a191 = 191; b.a192 = 192; b.a193 = 193; b.a194 = 194; b.a195 = 195; b.a196 = 196; b.a197 = 197; b.a198 = 198; b.a199 = 199
    b.a200 = 200; b.a201 = 201; b.a202 = 202; b.a203 = 203; b.a204 = 204; b.a205 = 205; b.a206 = 206; b.a207 = 207; b.a208 = 208; b.a209 = 209
    b.a210 = 210; b.a211 = 211; b.a212 = 212; b.a213 = 213; b.a214 = 214; b.a215 = 215; b.a216 = 216; b.a217 = 217; b.a218 = 218; b.a219 = 219
    b.a220 = 220; b.a221 = 221; b.a222 = 222; b.a223 = 223; b.a224 = 224; b.a225 = 225; b.a226 = 226; b.a227 = 227; b.a228 = 228; b.a229 = 229
    b.a230 = 230; b.a231 = 231; b.a232 = 232; b.a233 = 233; b.a234 = 234; b.a235 = 235; b.a236 = 236; b.a237 = 237; b.a238 = 238; b.a239 = 239
    b.a240 = 240; b.a241 = 241; b.a242 = 242; b.a243 = 243; b.a244 = 244; b.a245 = 245; b.a246 = 246; b.a247 = 247; b.a248 = 248; b.a249 = 249
    b.a250 = 250; b.a251 = 251; b.a252 = 252; b.a253 = 253; b.a254 = 254; b.a255 = 255; b.a256 = 256; b.a257 = 257; b.a258 = 258; b.a259 = 259
    b.a260 = 260; b.a261 = 261; b.a262 = 262; b.a263 = 263; b.a264 = 264; b.a265 = 265; b.a266 = 266; b.a267 = 267; b.a268 = 268; b.a269 = 269
    b.a270 = 270; b.a271 = 271; b.a272 = 272; b.a273 = 273; b.a274 = 274; b.a275 = 275; b.a276 = 276; b.a277 = 277; b.a278 = 278; b.a279 = 279
    b.a280 = 280; b.a281 = 281; b.a282 = 282; b.a283 = 283; b.a284 = 284; b.a285 = 285; b.a286 = 286; b.a287 = 287; b.a288 = 288; b.a289 = 289
    b.a290 = 290; b.a291 = 291; b.a292 = 292; b.a293 = 293; b.a294 = 294; b.a295 = 295; b.a296 = 296; b.a297 = 297; b.a298 = 298; b.a299 = 299
    total = 0
    total += b.a0 + b.a1 + b.a2 + b.a3 + b.a4 + b.a5 + b.a6 + b.a7 + b.a8 + b.a9
    total += b.a10 + b.a11 + b.a12 + b.a13 + b.a14 + b.a15 + b.a16 + b.a17 + b.a18 + b.a19
    total += b.a20 + b.a21 + b.a22 + b.a23 + b.a24 + b.a25 + b.a26 + b.a27 + b.a28 + b.a29
    total += b.a30 + b.a31 + b.a32 + b.a33 + b.a34 + b.a35 + b.a36 + b.a37 + b.a38 + b.a39
    total += b.a40 + b.a41 + b.a42 + b.a43 + b.a44 + b.a45 + b.a46 + b.a47 + b.a48 + b.a49
    total += b.a50 + b.a51 + b.a52 + b.a53 + b.a54 + b.a55 + b.a56 + b.a57 + b.a58 + b.a59
    total += b.a60 + b.a61 + b.a62 + b.a63 + b.a64 + b.a65 + b.a66 + b.a67 + b.a68 + b.a69
    total += b.a70 + b.a71 + b.a72 + b.a73 + b.a74 + b.a75 + b.a76 + b.a77 + b.a78 + b.a79
    total += b.a80 + b.a81 + b.a82 + b.a83 + b.a84 + b.a85 + b.a86 + b.a87 + b.a88 + b.a89
    total += b.a90 + b.a91 + b.a92 + b.a93 + b.a94 + b.a95 + b.a96 + b.a97 + b.a98 + b.a99
    total += b.a100 + b.a101 + b.a102 + b.a103 + b.a104 + b.a105 + b.a106 + b.a107 + b.a108 + b.a109
    total += b.a110 + b.a111 + b.a112 + b.a113 + b.a114 + b.a115 + b.a116 + b.a117 + b.a118 + b.a119
    total += b.a120 + b.a121 + b.a122 + b.a123 + b.a124 + b.a125 + b.a126 + b.a127 + b.a128 + b.a129
    total += b.a130 + b.a131 + b.a132 + b.a133 + b.a134 + b.a135 + b.a136 + b.a137 + b.a138 + b.a139
    total += b.a140 + b.a141 + b.a142 + b.a143 + b.a144 + b.a145 + b.a146 + b.a147 + b.a148 + b.a149
    total += b.a150 + b.a151 + b.a152 + b.a153 + b.a154 + b.a155 + b.a156 + b.a157 + b.a158 + b.a159
    total += b.a160 + b.a161 + b.a162 + b.a163 + b.a164 + b.a165 + b.a166 + b.a167 + b.a168 + b.a169
    total += b.a170 + b.a171 + b.a172 + b.a173 + b.a174 + b.a175 + b.a176 + b.a177 + b.a178 + b.a179
    total += b.a180 + b.a181 + b.a182 + b.a183 + b.a184 + b.a185 + b.a186 + b.a187 + b.a188 + b.a189
    total += b.a190 + b.a191 + b.a192 + b.a193 + b.a194 + b.a195 + b.a196 + b.a197 + b.a198 + b.a199
    total += b.a200 + b.a201 + b.a202 + b.a203 + b.a204 + b.a205 + b.a206 + b.a207 + b.a208 + b.a209
    total += b.a210 + b.a211 + b.a212 + b.a213 + b.a214 + b.a215 + b.a216 + b.a217 + b.a218 + b.a219
    total += b.a220 + b.a221 + b.a222 + b.a223 + b.a224 + b.a225 + b.a226 + b.a227 + b.a228 + b.a229
    total += b.a230 + b.a231 + b.a232 + b.a233 + b.a234 + b.a235 + b.a236 + b.a237 + b.a238 + b.a239
    total += b.a240 + b.a241 + b.a242 + b.a243 + b.a244 + b.a245 + b.a246 + b.a247 + b.a248 + b.a249
    total += b.a250 + b.a251 + b.a252 + b.a253 + b.a254 + b.a255 + b.a256 + b.a257 + b.a258 + b.a259
    total += b.a260 + b.a261 + b.a262 + b.a263 + b.a264 + b.a265 + b.a266 + b.a267 + b.a268 + b.a269
    total += b.a270 + b.a271 + b.a272 + b.a273 + b.a274 + b.a275 + b.a276 + b.a277 + b.a278 + b.a279
    total += b.a280 + b.a281 + b.a282 + b.a283 + b.a284 + b.a285 + b.a286 + b.a287 + b.a288 + b.a289
    total += b.a290 + b.a291 + b.a292 + b.a293 + b.a294 + b.a295 + b.a296 + b.a297 + b.a298 + b.a299
    return total, len(vars(b))


def long_try(fail_at):
    acc = []
    try:
        acc.append(0); acc.append(1); acc.append(2); acc.append(3); acc.append(4); acc.append(5); acc.append(6); acc.append(7); acc.append(8); acc.append(9)
        acc.append(10); acc.append(11); acc.append(12); acc.append(13); acc.append(14); acc.append(15); acc.append(16); acc.append(17); acc.append(18); acc.append(19)
        acc.append(20); acc.append(21); acc.append(22); acc.append(23); acc.append(24); acc.append(25); acc.append(26); acc.append(27); acc.append(28); acc.append(29)
        acc.append(30); acc.append(31); acc.append(32); acc.append(33); acc.append(34); acc.append(35); acc.append(36); acc.append(37); acc.append(38); acc.append(39)
        acc.append(40); acc.append(41); acc.append(42); acc.append(43); acc.append(44); acc.append(45); acc.append(46); acc.append(47); acc.append(48); acc.append(49)
        acc.append(50); acc.append(51); acc.append(52); acc.append(53); acc.append(54); acc.append(55); acc.append(56); acc.append(57); acc.append(58); acc.append(59)
        acc.append(60); acc.append(61); acc.append(62); acc.append(63); acc.append(64); acc.append(65); acc.append(66); acc.append(67); acc.append(68); acc.append(69)
        acc.append(70); acc.append(71); acc.append(72); acc.append(73); acc.append(74); acc.append(75); acc.append(76); acc.append(77); acc.append(78); acc.append(79)
        acc.append(80); acc.append(81); acc.append(82); acc.append(83); acc.append(84); acc.append(85); acc.append(86); acc.append(87); acc.append(88); acc.append(89)
        acc.append(90); acc.append(91); acc.append(92); acc.append(93); acc.append(94); acc.append(95); acc.append(96); acc.append(97); acc.append(98); acc.append(99)
        acc.append(100); acc.append(101); acc.append(102); acc.append(103); acc.append(104); acc.append(105); acc.append(106); acc.append(107); acc.append(108); acc.append(109)
        acc.append(110); acc.append(111); acc.append(112); acc.append(113); acc.append(114); acc.append(115); acc.append(116); acc.append(117); acc.append(118); acc.append(119)
        acc.append(120); acc.append(121); acc.append(122); acc.append(123); acc.append(124); acc.append(125); acc.append(126); acc.append(127); acc.append(128); acc.append(129)
        acc.append(130); acc.append(131); acc.append(132); acc.append(133); acc.append(134); acc.append(135); acc.append(136); acc.append(137); acc.append(138); acc.append(139)
        acc.append(140); acc.append(141); acc.append(142); acc.append(143); acc.append(144); acc.append(145); acc.append(146); acc.append(147); acc.append(148); acc.append(149)
        acc.append(150); acc.append(151); acc.append(152); acc.append(153); acc.append(154); acc.append(155); acc.append(156); acc.append(157); acc.append(158); acc.append(159)
        if fail_at == 1:
            raise ValueError("middle")
        acc.append(160); acc.append(161); acc.append(162); acc.append(163); acc.append(164); acc.append(165); acc.append(166); acc.append(167); acc.append(168); acc.append(169)
        acc.append(170); acc.append(171); acc.append(172); acc.append(173); acc.append(174); acc.append(175); acc.append(176); acc.append(177); acc.append(178); acc.append(179)
        acc.append(180); acc.append(181); acc.append(182); acc.append(183); acc.append(184); acc.append(185); acc.append(186); acc.append(187); acc.append(188); acc.append(189)
        acc.append(190); acc.append(191); acc.append(192); acc.append(193); acc.append(194); acc.append(195); acc.append(196); acc.append(197); acc.append(198); acc.append(199)
        acc.append(200); acc.append(201); acc.append(202); acc.append(203); acc.append(204); acc.append(205); acc.append(206); acc.append(207); acc.append(208); acc.append(209)
        acc.append(210); acc.append(211); acc.append(212); acc.append(213); acc.append(214); acc.append(215); acc.append(216); acc.append(217); acc.append(218); acc.append(219)
        acc.append(220); acc.append(221); acc.append(222); acc.append(223); acc.append(224); acc.append(225); acc.append(226); acc.append(227); acc.append(228); acc.append(229)
        acc.append(230); acc.append(231); acc.append(232); acc.append(233); acc.append(234); acc.append(235); acc.append(236); acc.append(237); acc.append(238); acc.append(239)
        acc.append(240); acc.append(241); acc.append(242); acc.append(243); acc.append(244); acc.append(245); acc.append(246); acc.append(247); acc.append(248); acc.append(249)
        acc.append(250); acc.append(251); acc.append(252); acc.append(253); acc.append(254); acc.append(255); acc.append(256); acc.append(257); acc.append(258); acc.append(259)
        acc.append(260); acc.append(261); acc.append(262); acc.append(263); acc.append(264); acc.append(265); acc.append(266); acc.append(267); acc.append(268); acc.append(269)
        acc.append(270); acc.append(271); acc.append(272); acc.append(273); acc.append(274); acc.append(275); acc.append(276); acc.append(277); acc.append(278); acc.append(279)
        acc.append(280); acc.append(281); acc.append(282); acc.append(283); acc.append(284); acc.append(285); acc.append(286); acc.append(287); acc.append(288); acc.append(289)
        acc.append(290); acc.append(291); acc.append(292); acc.append(293); acc.append(294); acc.append(295); acc.append(296); acc.append(297); acc.append(298); acc.append(299)
        if fail_at == 2:
            raise KeyError("end")
    except ValueError as e:
        return "ValueError %s after %d" % (e, len(acc))
    except KeyError as e:
        return "KeyError %s after %d" % (e, len(acc))
    finally:
        acc.append("finally")
    return "no error after %d" % len(acc)


print(many_locals(True))
print(many_locals(False))
print(many_constants(1))
print(many_constants(5))
print(many_names())
print(many_attributes())
print(long_try(0), long_try(1), long_try(2))
print("done")
